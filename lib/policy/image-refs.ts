import { registryHostKey } from './registries';
import type { Policy } from './types';

/** An image (or OCI Feature) reference, read as the engine reads it: Docker Hub defaults applied. */
export interface ImageReference {
  /** Registry host as registryHostKey spells it (`docker.io` for any of Docker Hub's names), port kept. */
  host: string;
  /** Repository path segments (`library/ubuntu` for `ubuntu`). */
  segments: string[];
  tag?: string;
  digest?: string;
}

/**
 * One `images` entry, read: a registry host, leading repository path segments, and optionally the
 * one tag or digest it allows (then the repository must match exactly). `url` entries cover https
 * tarball Features by URL host and leading path segments.
 */
export interface ImagePattern extends ImageReference {
  url?: boolean;
}

/** One repository path component (the distribution spec's grammar, lowercase only). */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
/** `host`, `host:port`, `[v6]` or `[v6]:port`. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const HINT = 'Write host[/path][:tag|@digest], e.g. registry.example.com/team/, ubuntu, docker.io/library/ubuntu:22.04';

/** Docker's rule: the first component names a registry when it has a `.` or `:`, is `localhost`, or an IPv6 literal. */
const looksLikeHost = (first: string) => first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('[');

/**
 * Splits `path[:tag][@digest]` into checked segments, or says why it is not a repository path.
 * `allowEmpty` is for entries naming a whole registry.
 */
function readPath(rest: string, allowEmpty: boolean): Omit<ImageReference, 'host'> | string {
  let name = rest;
  let digest: string | undefined;
  const at = name.indexOf('@');
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
    if (!DIGEST.test(digest)) return `has ${JSON.stringify(digest)} after "@", which is not a digest such as sha256:<64 hex digits>`;
    digest = digest.toLowerCase();
  }
  let tag: string | undefined;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!TAG.test(tag)) return `has ${JSON.stringify(tag)} as its tag, which is not one (letters, digits, _ . -, at most 128)`;
  }
  if (name === '' && allowEmpty && !tag && !digest) return { segments: [] };
  const segments = name.split('/');
  const bad = segments.find((s) => !COMPONENT.test(s));
  if (bad !== undefined) return `has ${JSON.stringify(bad)} as a path segment; repository paths are lowercase letters, digits and single . _ - between them`;
  return { segments, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** `library/` before a single-segment Docker Hub name, as the engine pulls it. */
const hubDefaults = (host: string, segments: string[]) => (host === 'docker.io' && segments.length === 1 ? ['library', ...segments] : segments);

/**
 * Reads an image or OCI Feature reference the way the engine does: `ubuntu` is
 * `docker.io/library/ubuntu`, Docker Hub's aliases are one host, no tag and no digest means `latest`
 * (left undefined here). Returns why it is not a reference otherwise. Pure; linear in the length.
 */
export function parseImageReference(ref: string): ImageReference | string {
  const text = ref.trim();
  if (text === '' || text.length > 1024) return 'is empty or longer than 1024 characters';
  if (/[\s\u0000-\u001f\u007f\\]/.test(text) || text.includes('://')) return 'has whitespace, a backslash or a scheme, so it is not an image reference';
  const slash = text.indexOf('/');
  const first = slash >= 0 ? text.slice(0, slash) : '';
  const named = slash >= 0 && looksLikeHost(first);
  if (named && !HOST.test(first)) return `starts with ${JSON.stringify(first)}, which is not a registry host`;
  const host = named ? registryHostKey(first) : 'docker.io';
  const path = readPath(named ? text.slice(slash + 1) : text, false);
  if (typeof path === 'string') return path;
  return { host, ...path, segments: hubDefaults(host, path.segments) };
}

/** An https tarball Feature URL as host and path segments; undefined when it is not a plain https URL. */
function readUrl(text: string): { host: string; segments: string[] } | undefined {
  if (!/^https:\/\//i.test(text) || /[\s\\?#%]/.test(text)) return undefined;
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return undefined;
  }
  if (u.username || u.password) return undefined;
  // The URL parser has already resolved `.` and `..`; what is left are plain names.
  return { host: u.host.toLowerCase(), segments: u.pathname.split('/').filter(Boolean) };
}

/**
 * Reads one `images` entry, or returns why it cannot be one. A bare name with a `.` (or
 * `localhost`, `host:port/`) is a registry host; otherwise the entry reads like a reference, except
 * that a trailing `/` means "everything under this path" (so `docker.io/my-org/` is the `my-org`
 * namespace, not `library/my-org`). An `https://` entry covers tarball Features under that URL.
 */
export function parseImagePattern(entry: string): ImagePattern | string {
  const text = entry.trim();
  if (text === '' || text.length > 1024) return 'is empty or longer than 1024 characters';
  if (/^https?:\/\//i.test(text)) {
    const u = readUrl(text);
    return u ? { url: true, ...u } : `${JSON.stringify(text)} is not a plain https:// URL (no user, query, fragment or escapes) for tarball Features`;
  }
  if (/[\s\u0000-\u001f\u007f\\]/.test(text) || text.includes('://')) return `${JSON.stringify(text)} has whitespace, a backslash or a scheme. ${HINT}`;
  const folder = text.endsWith('/');
  const body = folder ? text.slice(0, -1) : text;
  const slash = body.indexOf('/');
  const first = slash >= 0 ? body.slice(0, slash) : body;
  // Without a slash a dotted name is meant as a registry (Docker would read it as a Hub image).
  const bare = first.split(/[:@]/)[0]!;
  const named = slash >= 0 || folder ? looksLikeHost(first) : bare.includes('.') || bare === 'localhost' || first.startsWith('[');
  if (named && !HOST.test(first)) return `${JSON.stringify(text)} starts with ${JSON.stringify(first)}, which is not a registry host. ${HINT}`;
  const host = named ? registryHostKey(first) : 'docker.io';
  const path = readPath(named ? (slash >= 0 ? body.slice(slash + 1) : '') : body, named);
  if (typeof path === 'string') return `${JSON.stringify(text)} ${path}. ${HINT}`;
  if (folder && (path.tag || path.digest)) return `${JSON.stringify(text)} ends with "/" after a tag or digest; write the image without the "/" to allow only that tag`;
  return { host, ...path, segments: folder ? path.segments : hubDefaults(host, path.segments) };
}

/** True when the entry covers the reference: same host, leading whole path segments, and its tag or digest if it names one. */
export function imagePatternMatches(p: ImagePattern, r: ImageReference): boolean {
  if (p.host !== r.host) return false;
  const exact = p.tag !== undefined || p.digest !== undefined;
  if (exact ? r.segments.length !== p.segments.length : r.segments.length < p.segments.length) return false;
  if (!p.segments.every((s, i) => r.segments[i] === s)) return false;
  if (p.digest !== undefined) return r.digest === p.digest;
  // With a digest the engine ignores the tag: a tag entry cannot vouch for it.
  if (p.tag !== undefined) return r.digest === undefined && (r.tag ?? 'latest') === p.tag;
  return true;
}

/**
 * True when the provider lets this image (or Feature reference) be used: any, when `images` is
 * empty; else it must parse and one entry must cover it on whole components (never a raw string
 * prefix: `registry.example.com` does not cover `registry.example.com.evil.example/x`). Entries
 * that do not parse cover nothing (the provider file refuses them when it is added).
 */
export function imageAllowed(policy: Pick<Policy, 'images'>, image: string): boolean {
  if (policy.images.length === 0) return true;
  const url = readUrl(image.trim());
  const ref = url ?? parseImageReference(image);
  if (typeof ref === 'string') return false;
  return policy.images.some((entry) => {
    const p = parseImagePattern(entry);
    if (typeof p === 'string' || !!p.url !== !!url) return false;
    return imagePatternMatches(p, url ? { host: url.host, segments: url.segments } : ref);
  });
}
