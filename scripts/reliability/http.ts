import { Agent, request as httpRequest } from 'node:http';
import { ADMIN_PASSWORD, ADMIN_USER } from './server.ts';

/**
 * A browser-like HTTP client for the harness: one cookie jar and one connection pool per
 * simulated person, JSON in and out, and network failures returned as status 0 (a killed server
 * is an expected outcome here, not an exception).
 */

export interface HttpResult<T = unknown> {
  /** HTTP status, or 0 when the request never got an answer (refused, reset, timed out). */
  status: number;
  body: T | undefined;
  ms: number;
  error?: string;
}

export interface RequestOptions {
  /** A raw body sent as is (fuzzing); otherwise `json` is serialised. */
  raw?: string | Uint8Array;
  json?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /**
   * A connection of its own, closed afterwards. For bodies the server refuses before reading
   * them (over 4 MB): it closes that connection, and a shared pool would hand the dead socket
   * to the next request.
   */
  fresh?: boolean;
}

export class Client {
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });

  constructor(public baseUrl: string) {}

  async request<T = Record<string, unknown>>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult<T>> {
    const first = await this.send<T>(method, path, options);
    // A kept-alive connection the server closed just as we reused it: the request never reached
    // the server, and browsers retry it once on a new connection. So does the harness.
    if (first.retryable) return this.send<T>(method, path, { ...options, fresh: true });
    return first;
  }

  private async send<T>(method: string, path: string, options: RequestOptions): Promise<HttpResult<T> & { retryable?: boolean }> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (this.csrf) headers['x-csrf-token'] = this.csrf;
    let body: string | Uint8Array | undefined = options.raw;
    if (body === undefined && options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    if (method === 'GET' || method === 'HEAD') body = undefined;
    const started = performance.now();
    const url = new URL(path, this.baseUrl);
    return new Promise<HttpResult<T> & { retryable?: boolean }>((done) => {
      const fail = (error: Error) =>
        done({
          status: 0,
          body: undefined,
          ms: performance.now() - started,
          error: `${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}`.trim(),
          retryable: req.reusedSocket && (error as NodeJS.ErrnoException).code === 'ECONNRESET',
        });
      const req = httpRequest(
        url,
        { method, headers, agent: options.fresh ? false : this.agent, timeout: options.timeoutMs ?? 60_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', fail);
          res.on('end', () => {
            this.keepCookies(res.headers['set-cookie'] ?? []);
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: T | undefined;
            try {
              parsed = text ? (JSON.parse(text) as T) : undefined;
            } catch {
              parsed = undefined; // pages and non-JSON errors: the status is what the harness counts
            }
            done({ status: res.statusCode ?? 0, body: parsed, ms: performance.now() - started });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', fail);
      req.end(body);
    });
  }

  private keepCookies(lines: string[]) {
    for (const line of lines) {
      const [pair] = line.split(';');
      const at = pair?.indexOf('=') ?? -1;
      if (!pair || at <= 0) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** Console login; keeps the session cookie and the CSRF token for later writes. */
  async login(user = ADMIN_USER, password = ADMIN_PASSWORD): Promise<HttpResult<{ csrf?: string }>> {
    const result = await this.request<{ csrf?: string }>('POST', '/api/login', { json: { user, password } });
    if (result.status === 200 && result.body?.csrf) this.csrf = result.body.csrf;
    return result;
  }

  close() {
    this.agent.destroy();
  }
}

/** The chat's reply as the web page receives it (only the fields the harness reads). */
export interface ChatResponse {
  reply?: {
    kind: string;
    intent: string;
    text: string;
    suggestions?: { label: string; intent: string }[];
    choices?: { label: string; value: string }[];
  };
  exchangeId?: string;
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
