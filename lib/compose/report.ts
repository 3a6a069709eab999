import { Issues, formatPath, type FieldPath } from '../config/issues';
import type { YamlSource } from '../config/yaml-source';
import type { SourcePath } from './types';

/** One compose file after parsing and interpolation. */
export interface ComposeFile {
  path: SourcePath;
  source: YamlSource;
  /** The file's lines, to point at a key rather than its value. */
  lines: string[];
  /** The interpolated data (what was validated and is read). */
  data: Record<string, unknown>;
  /** Service keys whose earlier value this file clears (`!reset`, `!override`), by service. */
  cleared: Map<string, Set<string>>;
}

/**
 * Records problems against the file and key they were written in. With several files the message
 * names the file, since the line alone does not say which one.
 */
export class Reporter {
  readonly issues = new Issues();
  readonly warnings: string[] = [];
  files: ComposeFile[] = [];

  constructor(private readonly fileCount: number) {}

  /**
   * A problem at `path` of `file`. `key`: the key itself is wrong (an unknown or refused key), so
   * the column is the key's, not its value's.
   */
  at(file: { path: SourcePath; source?: YamlSource; lines?: string[] }, path: FieldPath, message: string, hint?: string, key = false): void {
    const position = file.source?.locate(path);
    const last = path[path.length - 1];
    if (key && position && typeof last === 'string') {
      const column = file.lines?.[position.line - 1]?.indexOf(last) ?? -1;
      if (column >= 0 && column + 1 < position.column) position.column = column + 1;
    }
    const where = this.fileCount > 1 ? ` (in ${file.path})` : '';
    this.issues.add(formatPath(path) || 'document', `${message}${where}`, { ...(hint ? { hint } : {}), position: position ?? null });
  }

  /** A problem with the merged project: located in the last file that wrote `path` (or its nearest parent). */
  merged(path: FieldPath, message: string, hint?: string): void {
    for (let n = path.length; n > 0; n--) {
      const prefix = path.slice(0, n);
      for (let i = this.files.length - 1; i >= 0; i--) {
        if (has(this.files[i]!.data, prefix)) return this.at(this.files[i]!, path, message, hint);
      }
    }
    this.issues.add(formatPath(path) || 'document', message, { position: null, ...(hint ? { hint } : {}) });
  }
}

function has(data: unknown, path: FieldPath): boolean {
  let node: unknown = data;
  for (const seg of path) {
    if (!node || typeof node !== 'object' || !Object.hasOwn(node, seg)) return false;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return true;
}
