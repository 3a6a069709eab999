/** A problem+json error from the API, kept whole so the CLI can show field errors and line numbers. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: { detail?: string; code?: string; errors?: { field: string; message: string; line?: number; column?: number; hint?: string }[] }) {
    super(problem.detail ?? `HTTP ${status}`);
  }
}

/** Minimal HTTP client of the workbay API, configured by WORKBAY_URL and WORKBAY_TOKEN. */
export class Client {
  constructor(readonly baseUrl: string, private readonly token: string | undefined) {}

  async request<T>(method: string, path: string, body?: { json?: unknown; yaml?: string }): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let payload: string | undefined;
    if (body?.yaml !== undefined) {
      headers['content-type'] = 'application/yaml';
      payload = body.yaml;
    } else if (body?.json !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    }
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), { method, headers, body: payload });
    } catch (err) {
      throw new Error(`cannot reach the workbay API at ${this.baseUrl} (${(err as Error).cause ? String((err as { cause: Error }).cause.message) : (err as Error).message}); set WORKBAY_URL`);
    }
    const text = await res.text();
    const data: unknown = text ? safeJson(text) : undefined;
    if (!res.ok) throw new ApiError(res.status, (data && typeof data === 'object' ? data : { detail: text }) as ApiError['problem']);
    return data as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text };
  }
}
