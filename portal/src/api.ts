/**
 * The portal's HTTP client: the public v1 API, the same routes the CLI uses, with the bearer token
 * from the session. Problems (application/problem+json) become ApiError with their field errors.
 */
import type { ConfigListing, Connection, EventView, Provider, TokenInfo, Workspace } from './types';

/** One entry of a problem's `errors`. */
export interface FieldProblem { field: string; message: string; hint?: string }

/** A non-2xx answer of the API. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly errors: FieldProblem[] = []) {
    super(message);
  }
}

/** Relative to the page, so a portal served under a path prefix (an API stage) still reaches its API. */
const url = (path: string) => new URL(path.replace(/^\//, ''), document.baseURI).toString();

/** A client bound to one token; `onUnauthorized` runs when the API answers 401. */
export class Api {
  constructor(private readonly token: string, private readonly onUnauthorized: (message: string) => void = () => undefined) {}

  /** Sends one request; JSON in and out, undefined for 204. An aborted `signal` is an ApiError `aborted` with its reason. */
  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<T> {
    const h: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json', ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url(path), { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', signal });
    } catch {
      if (signal?.aborted) throw new ApiError(0, 'aborted', signal.reason instanceof Error ? signal.reason.message : String(signal.reason));
      throw new ApiError(0, 'network', 'the control plane cannot be reached; check your connection');
    }
    const type = res.headers.get('content-type') ?? '';
    const data: unknown = /json/.test(type) ? await res.json().catch(() => undefined) : await res.text();
    if (!res.ok) {
      const p = (data ?? {}) as { code?: string; detail?: string; errors?: FieldProblem[] };
      const err = new ApiError(res.status, p.code ?? `http.${res.status}`, p.detail ?? `request failed with HTTP ${res.status}`, p.errors ?? []);
      if (res.status === 401) this.onUnauthorized(err.message);
      throw err;
    }
    return data as T;
  }

  /** The caller's workspaces (an admin may name another owner). */
  listWorkspaces(q: { status?: string; owner?: string }): Promise<{ items: Workspace[] }> {
    const p = new URLSearchParams({ limit: '100' });
    if (q.status) p.set('status', q.status);
    if (q.owner) p.set('owner', q.owner);
    return this.request('GET', `/v1/workspaces?${p}`);
  }

  getWorkspace = (id: string) => this.request<Workspace>('GET', `/v1/workspaces/${encodeURIComponent(id)}`);
  stop = (id: string) => this.request<Workspace>('POST', `/v1/workspaces/${encodeURIComponent(id)}/stop`);
  start = (id: string) => this.request<Workspace>('POST', `/v1/workspaces/${encodeURIComponent(id)}/start`);
  remove = (id: string) => this.request<Workspace | string>('DELETE', `/v1/workspaces/${encodeURIComponent(id)}`);
  keepAlive = (id: string) => this.request<string>('POST', `/v1/workspaces/${encodeURIComponent(id)}/activity`);
  connection = (id: string) => this.request<Connection>('GET', `/v1/workspaces/${encodeURIComponent(id)}/connection`);
  logs = (id: string) => this.request<string>('GET', `/v1/workspaces/${encodeURIComponent(id)}/logs?tail=500`);

  /** Events after `after` (an event id), oldest first. */
  events(id: string, after?: string): Promise<{ items: EventView[] }> {
    const p = new URLSearchParams({ limit: '100', ...(after ? { after } : {}) });
    return this.request('GET', `/v1/workspaces/${encodeURIComponent(id)}/events?${p}`);
  }

  /** Creates a workspace; the key makes a retried submit return the same one. */
  create(body: Record<string, unknown>, idempotencyKey: string): Promise<Workspace> {
    return this.request('POST', '/v1/workspaces', body, { 'idempotency-key': idempotencyKey });
  }

  /** The devcontainer configs of a repository, listed by the provider's engine (a shallow clone: seconds). */
  configs(provider: string, git: string, ref: string | undefined, signal?: AbortSignal): Promise<ConfigListing> {
    const p = new URLSearchParams({ git, ...(ref ? { ref } : {}) });
    return this.request('GET', `/v1/providers/${encodeURIComponent(provider)}/devcontainers?${p}`, undefined, {}, signal);
  }

  providers = () => this.request<{ items: Provider[] }>('GET', '/v1/providers');
  tokens = () => this.request<{ items: TokenInfo[] }>('GET', '/v1/tokens');
  issueToken = (body: Record<string, unknown>) => this.request<{ token: string; prefix: string; owner: string }>('POST', '/v1/tokens', body);
  revokeToken = (prefix: string) => this.request<string>('DELETE', `/v1/tokens/${encodeURIComponent(prefix)}`);
}
