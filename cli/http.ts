import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
/** A problem+json error from the API, kept whole so the CLI can show field errors and line numbers. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: { detail?: string; code?: string; name?: string; workspaceId?: string; errors?: { field: string; message: string; line?: number; column?: number; hint?: string }[] }) {
    super(problem.detail ?? `HTTP ${status}`);
  }
}

/** The API could not be reached at all (connection refused, reset, DNS). */
export class UnreachableError extends Error {}

/** A response with its status, for callers that tell 200 from 202 or 204. */
export interface Sent<T> {
  status: number;
  data: T;
}

/** What a request carries besides method and path. */
export interface RequestBody {
  json?: unknown;
  yaml?: string;
  /** A file streamed as the body (an upload), with its content type and exact size. */
  file?: { path: string; type: string; size: number };
  headers?: Record<string, string>;
}

/** Minimal HTTP client of the workbay API, configured by WORKBAY_URL and WORKBAY_TOKEN. */
export class Client {
  constructor(readonly baseUrl: string, private readonly token: string | undefined) {}

  /** The response body of a successful request; a failed one throws ApiError. */
  async request<T>(method: string, path: string, body?: RequestBody): Promise<T> {
    return (await this.send<T>(method, path, body)).data;
  }

  /** Like request, with the status code. JSON bodies are parsed; any other body is returned as text. */
  async send<T>(method: string, path: string, body?: RequestBody): Promise<Sent<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...body?.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let payload: string | ReadableStream | undefined;
    if (body?.file) {
      headers['content-type'] = body.file.type;
      headers['content-length'] = String(body.file.size);
      payload = Readable.toWeb(createReadStream(body.file.path)) as ReadableStream;
    } else if (body?.yaml !== undefined) {
      headers['content-type'] = 'application/yaml';
      payload = body.yaml;
    } else if (body?.json !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    }
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), { method, headers, body: payload, ...(body?.file ? { duplex: 'half' } : {}) } as RequestInit);
    } catch (err) {
      throw new UnreachableError(`cannot reach the workbay API at ${this.baseUrl} (${(err as Error).cause ? String((err as { cause: Error }).cause.message) : (err as Error).message}); set WORKBAY_URL`);
    }
    const text = await res.text();
    const isJson = /json/.test(res.headers.get('content-type') ?? '');
    if (!res.ok) {
      const data = text ? safeJson(text) : undefined;
      throw new ApiError(res.status, (data && typeof data === 'object' ? data : { detail: text || res.statusText }) as ApiError['problem']);
    }
    const data = !text ? undefined : isJson ? safeJson(text) : text;
    return { status: res.status, data: data as T };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text };
  }
}
