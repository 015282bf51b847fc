// The HTTP client of `sluice ctl`: one request to the API, its JSON answer, and the few
// ways it can fail turned into one line a person can act on. Bounded in time: an API
// that accepts and never answers must not hang a script.

export const DEFAULT_API = 'http://127.0.0.1:1985';
const TIMEOUT_MS = 5000;

/** A failure the operator sees as one line on stderr (exit 1). */
export class CtlError extends Error {
  override readonly name = 'CtlError';
}

export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

export class ApiClient {
  readonly base: string;
  private readonly token: string;

  constructor(base: string, token: string) {
    this.base = base.replace(/\/+$/, '');
    this.token = token;
  }

  /** One request; rejects with a CtlError when the server is down, refuses the token or answers no JSON. */
  async request(method: 'GET' | 'DELETE' | 'POST', path: string): Promise<ApiAnswer> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, { method, headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw this.networkError(err as Error);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw this.networkError(err as Error);
    }
    if (res.status === 401) {
      throw new CtlError(this.token
        ? `the API at ${this.base} refused the token (401): check --token`
        : `the API at ${this.base} needs a token (401): pass --token or SLUICE_API_TOKEN`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new CtlError(`${this.base}${path} answered HTTP ${res.status} without JSON: is it a Sluice API?`);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new CtlError(`${this.base}${path} answered HTTP ${res.status} with unexpected JSON: is it a Sluice API?`);
    }
    return { status: res.status, body: body as Record<string, unknown> };
  }

  /** Like request, but any non-zero `code` is a failure with the API's status. */
  async ok(method: 'GET' | 'DELETE' | 'POST', path: string): Promise<Record<string, unknown>> {
    const a = await this.request(method, path);
    if (a.body.code !== 0) throw new CtlError(`${method} ${path} failed: HTTP ${a.status}, code ${String(a.body.code)}`);
    return a.body;
  }

  private networkError(err: Error): CtlError {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return new CtlError(`no answer from ${this.base} within ${TIMEOUT_MS / 1000} s`);
    // fetch wraps the socket error: ECONNREFUSED, ENOTFOUND and the like all mean nobody answers there.
    const code = (err.cause as NodeJS.ErrnoException | undefined)?.code;
    return new CtlError(`server not running at ${this.base}${code && code !== 'ECONNREFUSED' ? ` (${code})` : ''}`);
  }
}
