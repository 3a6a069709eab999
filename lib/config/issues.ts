import { configError, type FieldError } from '../errors';

/** A 1-based position in a submitted document. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** A path into a document: object keys and array indexes. */
export type FieldPath = readonly (string | number)[];

/**
 * Formats a path the way FieldError.field shows it: keys joined by dots, indexes in brackets,
 * e.g. `agent.kubernetes.persistentVolumeSize` or `mounts[1].target`.
 */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/**
 * Collects field problems so one request reports all of them at once instead of the first only.
 */
export class Issues {
  readonly errors: FieldError[] = [];

  constructor(private readonly locate?: (field: string) => SourcePosition | undefined) {}

  /**
   * Records a problem; the position is looked up from the field unless given (`null`: the value
   * did not come from the document, so no position).
   */
  add(field: string, message: string, extra: { hint?: string; position?: SourcePosition | null } = {}): void {
    const position = extra.position === null ? undefined : (extra.position ?? this.locate?.(field));
    const error: FieldError = { field, message };
    if (position) {
      error.line = position.line;
      error.column = position.column;
    }
    if (extra.hint) error.hint = extra.hint;
    this.errors.push(error);
  }

  /** Replaces secret values in every recorded message and hint, so errors never echo a password. */
  redact(secrets: string[], mask = '********'): void {
    const live = secrets.filter((x) => x !== '').sort((a, b) => b.length - a.length);
    if (live.length === 0) return;
    const scrub = (text: string) => live.reduce((out, secret) => out.split(secret).join(mask), text);
    for (const e of this.errors) {
      e.message = scrub(e.message);
      if (e.hint) e.hint = scrub(e.hint);
    }
  }

  /** Throws one `config.invalid` error listing every recorded problem (at least one must be recorded). */
  fail(summary: string): never {
    this.throwIfAny(summary);
    throw new Error(`${summary}: failed without a recorded problem`);
  }

  /** Throws one `config.invalid` error listing every recorded problem, if there is any. */
  throwIfAny(summary: string): void {
    if (this.errors.length === 0) return;
    const first = this.errors[0]!;
    const more = this.errors.length > 1 ? ` (and ${this.errors.length - 1} more)` : '';
    throw configError(`${summary}: ${first.field ? `${first.field}: ` : ''}${first.message}${more}`, this.errors);
  }
}

/** Quotes a value for a message, so empty strings and spaces stay visible. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
