import { createHash } from 'node:crypto';
import { WorkbayError } from '../errors';
import { filesFromTar, MAX_FEATURE_BYTES } from './files';
import type { FeatureFiles, FeatureLoaders, FeatureMetadata, FeatureRef } from './types';

const MANIFEST_TYPES = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
const LAYER_TYPE = 'application/vnd.devcontainers.layer.v1+tar';
/** A registry that does not answer must not hold a reconcile pass (and its lease) for ever. */
export const FETCH_TIMEOUT_MS = 60_000;

interface Manifest {
  layers?: { mediaType?: string; digest?: string; size?: number }[];
  annotations?: Record<string, string>;
}

/** Loopback registries speak plain http (the local test registry, a developer's own); all else https. */
function baseUrl(registry: string): string {
  const host = registry.replace(/:\d+$/, '');
  const loopback = host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
  return `${loopback ? 'http' : 'https'}://${registry}/v2`;
}

/**
 * A small distribution-API client for one repository: anonymous or basic auth, and the bearer
 * token dance (`WWW-Authenticate: Bearer realm=…,service=…,scope=…`) public registries such as
 * ghcr.io use even for anonymous pulls. Also reads image configs (see image-config.ts).
 */
export class Registry {
  private token: string | undefined;
  private creds: { username: string; password: string } | undefined;
  private credsRead = false;
  constructor(private readonly ref: FeatureRef & { source: { kind: 'oci' } }, private readonly loaders: FeatureLoaders) {}

  /** Whether the provider gave credentials for this registry (after the first request). */
  get authenticated(): boolean {
    return this.creds !== undefined;
  }

  /** Fetched at first use, so a reference for one registry never holds up Features from another. */
  private async credentials() {
    if (!this.credsRead) {
      const host = this.ref.source.registry;
      this.creds = (await this.loaders.credentialsFor?.(host)) ?? this.loaders.credentials?.[host];
      this.credsRead = true;
    }
    return this.creds;
  }

  private basic(): Record<string, string> {
    return this.creds ? { authorization: `Basic ${Buffer.from(`${this.creds.username}:${this.creds.password}`).toString('base64')}` } : {};
  }

  async get(path: string, accept: string): Promise<Response> {
    const f = this.loaders.fetch ?? fetch;
    await this.credentials();
    const url = `${baseUrl(this.ref.source.registry)}/${this.ref.source.repository}/${path}`;
    const headers = (): Record<string, string> => ({ accept, ...(this.token ? { authorization: `Bearer ${this.token}` } : this.basic()) });
    let res = await follow(f, url, headers());
    const challenge = res.headers.get('www-authenticate');
    if (res.status === 401 && challenge?.startsWith('Bearer ') && !this.token) {
      this.token = await this.bearer(challenge, f);
      res = await follow(f, url, headers());
    }
    return res;
  }

  private async bearer(challenge: string, f: typeof fetch): Promise<string | undefined> {
    const params = Object.fromEntries([...challenge.slice(7).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (!params.realm?.startsWith('https://')) return undefined;
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? `repository:${this.ref.source.repository}:pull`);
    const res = await f(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: this.basic() });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { token?: string; access_token?: string };
    return body.token ?? body.access_token;
  }
}

/**
 * GET with redirects followed by hand: registries send blobs to storage on other hosts, and the
 * registry's credentials must not go there (only to the origin they were given for).
 */
async function follow(f: typeof fetch, url: string, headers: Record<string, string>): Promise<Response> {
  const origin = new URL(url).origin;
  let at = url;
  for (let hops = 0; ; hops++) {
    const sameOrigin = new URL(at).origin === origin;
    const sent = sameOrigin ? headers : Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'authorization'));
    const res = await f(at, { headers: sent, redirect: 'manual', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    const location = res.headers.get('location');
    if (res.status < 300 || res.status > 399 || !location || hops >= 5) return res;
    at = new URL(location, at).toString();
  }
}

/** Why the registry said no, naming the provider setting that gives (or gave) credentials; never the credentials. */
function refusal(status: number, host: string, authenticated: boolean): string {
  return authenticated
    ? `the registry refused the credentials the provider gives for ${host} in workbay.registries (${status})`
    : `the registry needs credentials (${status}); an admin can give them for ${host} in the provider's workbay.registries (secret references)`;
}

function unavailable(ref: FeatureRef, why: string): WorkbayError {
  return new WorkbayError('driver.sourceFailed', `Feature "${ref.written}" could not be fetched: ${why}`);
}

/**
 * Reads an OCI Feature's manifest and the `dev.containers.metadata` annotation (the whole
 * devcontainer-feature.json), so dependencies can be resolved before any layer is downloaded.
 */
export async function ociManifest(ref: FeatureRef & { source: { kind: 'oci' } }, loaders: FeatureLoaders): Promise<{ manifest: Manifest; metadata?: FeatureMetadata; registry: Registry }> {
  const registry = new Registry(ref, loaders);
  let res: Response;
  try {
    res = await registry.get(`manifests/${ref.source.reference}`, MANIFEST_TYPES);
  } catch (err) {
    throw unavailable(ref, `the registry ${ref.source.registry} did not answer (${(err as Error).message})`);
  }
  if (res.status === 401 || res.status === 403) throw unavailable(ref, refusal(res.status, ref.source.registry, registry.authenticated));
  if (res.status === 404) throw unavailable(ref, `no such Feature or version on ${ref.source.registry}`);
  if (!res.ok) throw unavailable(ref, `the registry answered ${res.status}`);
  const manifest = (await res.json()) as Manifest;
  const text = manifest.annotations?.['dev.containers.metadata'];
  let metadata: FeatureMetadata | undefined;
  if (text) {
    try {
      metadata = JSON.parse(text) as FeatureMetadata;
    } catch {
      throw unavailable(ref, 'its dev.containers.metadata annotation is not JSON');
    }
  }
  return { manifest, metadata, registry };
}

/** Downloads the Feature's tar layer and reads its files. */
export async function ociFiles(ref: FeatureRef & { source: { kind: 'oci' } }, m: Awaited<ReturnType<typeof ociManifest>>): Promise<FeatureFiles> {
  const layer = m.manifest.layers?.find((l) => l.mediaType === LAYER_TYPE) ?? m.manifest.layers?.[0];
  if (!layer?.digest) throw unavailable(ref, 'its manifest has no layer');
  if ((layer.size ?? 0) > MAX_FEATURE_BYTES) throw unavailable(ref, `its layer is larger than ${MAX_FEATURE_BYTES / 1024 / 1024} MiB`);
  let body: Buffer;
  try {
    const res = await m.registry.get(`blobs/${layer.digest}`, '*/*');
    if (res.status === 401 || res.status === 403) throw unavailable(ref, refusal(res.status, ref.source.registry, m.registry.authenticated));
    if (!res.ok) throw unavailable(ref, `its layer ${layer.digest} answered ${res.status}`);
    body = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    if (err instanceof WorkbayError) throw err;
    throw unavailable(ref, `downloading its layer failed (${(err as Error).message})`);
  }
  if (`sha256:${createHash('sha256').update(body).digest('hex')}` !== layer.digest) throw unavailable(ref, `its layer does not match digest ${layer.digest}`);
  return filesFromTar(body);
}
