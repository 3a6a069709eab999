import { posix } from 'node:path';
import type { ComposeVolumeMount, SourcePath } from './types';

/** A mount, or why it cannot be one. */
export type MountResult = { mount: ComposeVolumeMount } | { error: string; hint?: string };

const SHORT_MODES = new Set(['ro', 'rw', 'z', 'Z', 'cached', 'delegated', 'consistent', 'nocopy']);
const NAMED = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/**
 * Resolves a path written in a compose file against the project folder (the first file's folder,
 * as Compose resolves every file's relative paths). `..` above the source root is an error: the
 * workspace runs from the source, never from the engine host's filesystem.
 */
export function resolveSourcePath(projectDir: SourcePath, written: string): SourcePath | { error: string } {
  const joined = posix.normalize(posix.join(projectDir, written));
  if (joined === '..' || joined.startsWith('../')) {
    return { error: `${JSON.stringify(written)} leaves the repository (it resolves to ${JSON.stringify(joined)} from the project folder ${JSON.stringify(projectDir || '.')})` };
  }
  return joined.replace(/\/$/, '') || '.';
}

function bind(projectDir: SourcePath, source: string, target: string, readOnly: boolean): MountResult {
  if (source.startsWith('/')) return { mount: { type: 'host', source: posix.normalize(source), target, readOnly } };
  if (source.startsWith('~')) {
    return { error: `${JSON.stringify(source)} is a path in a home folder of the engine host`, hint: 'Bind a path inside the repository (./data) or use a named volume.' };
  }
  const resolved = resolveSourcePath(projectDir, source);
  if (typeof resolved !== 'string') return { error: resolved.error, hint: 'Bind a path inside the repository, or an absolute host path (judged by the provider\'s policy).' };
  return { mount: { type: 'source', source: resolved, target, readOnly } };
}

function checkTarget(target: string): string | undefined {
  if (!target.startsWith('/')) return `the container path ${JSON.stringify(target)} must be absolute`;
  return undefined;
}

/** `[SOURCE:]TARGET[:MODE]` as Compose reads it on Linux engines. */
export function parseShortVolume(text: string, projectDir: SourcePath): MountResult {
  const parts = text.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) return { error: `${JSON.stringify(text)} is not SOURCE:TARGET[:MODE]` };
  if (parts.length === 1) {
    const problem = checkTarget(parts[0]!);
    return problem ? { error: problem } : { mount: { type: 'anonymous', target: parts[0]!, readOnly: false } };
  }
  const [source, target, mode = ''] = parts as [string, string, string?];
  const modes = mode === '' ? [] : mode.split(',');
  const unknown = modes.find((m) => !SHORT_MODES.has(m));
  if (unknown !== undefined) return { error: `unknown volume mode ${JSON.stringify(unknown)} (known: ${[...SHORT_MODES].join(', ')})` };
  const problem = checkTarget(target);
  if (problem) return { error: problem };
  const readOnly = modes.includes('ro');
  if (source.startsWith('.') || source.startsWith('/') || source.startsWith('~')) return bind(projectDir, source, target, readOnly);
  if (!NAMED.test(source)) return { error: `${JSON.stringify(source)} is neither a path (./x, /x) nor a volume name` };
  return { mount: { type: 'volume', source, target, readOnly } };
}

/** The long syntax (`type`, `source`, `target`, `read_only`), already schema-checked. */
export function parseLongVolume(v: Record<string, unknown>, projectDir: SourcePath): MountResult {
  const type = String(v.type);
  const target = typeof v.target === 'string' ? v.target : '';
  const source = typeof v.source === 'string' ? v.source : undefined;
  const readOnly = v.read_only === true;
  if (target === '') return { error: 'a volume needs a target' };
  const problem = checkTarget(target);
  if (problem) return { error: problem };
  if (type === 'bind') {
    if (!source) return { error: 'a bind needs a source' };
    return bind(projectDir, source, target, readOnly);
  }
  if (type === 'volume') {
    if (!source) return { mount: { type: 'anonymous', target, readOnly } };
    if (!NAMED.test(source)) return { error: `${JSON.stringify(source)} is not a volume name` };
    return { mount: { type: 'volume', source, target, readOnly } };
  }
  return { error: `volumes of type ${JSON.stringify(type)} are not supported (supported: volume, bind)` };
}
