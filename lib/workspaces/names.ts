import { createHash } from 'node:crypto';
import type { WorkspaceSource } from '../store';

/** A DNS-1123 label derived from the source, the way DevPod names workspaces after their repo or image. */
export function defaultWorkspaceName(source: WorkspaceSource): string {
  const raw = 'image' in source
    ? source.image.split('@')[0]!.split('/').pop()!.split(':')[0]!
    : 'upload' in source
      ? (source.upload.folder ?? '').replace(/[/\\]+$/, '').split(/[/\\]/).pop()!
      : source.git.url.replace(/\/+$/, '').split(/[/:]/).pop()!.replace(/\.git$/, '');
  const label = raw.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return label || 'workspace';
}

/** A stable fingerprint of a request body, to refuse an Idempotency-Key reused with another body. */
export function fingerprint(value: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
    }
    return v;
  };
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('hex');
}
