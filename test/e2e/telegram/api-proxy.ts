import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A thin HTTP proxy between the bot and the emulator, on 127.0.0.1 like the emulator itself.
 *
 * - Long polling: telegram-test-api answers getUpdates at once even when empty, so telegraf's
 *   polling loop would spin and burn a CPU. The proxy holds an empty getUpdates for a moment,
 *   polling the emulator, as the real Bot API's long poll does.
 * - It records every Bot API call (method and body) so tests can check what the bot sent,
 *   including calls the emulator does not implement.
 * - `rateLimitNext(method)` makes the next call of that method fail with a real-shaped 429.
 */
export interface ApiCall {
  method: string;
  body: Record<string, unknown>;
}

export interface ApiProxy {
  url: string;
  calls: ApiCall[];
  rateLimitNext(method: string, retryAfter: number): void;
  close(): Promise<void>;
}

const HOLD_MS = 400;
const POLL_EVERY_MS = 20;

export async function startApiProxy(targetUrl: string): Promise<ApiProxy> {
  const calls: ApiCall[] = [];
  const limits = new Map<string, number>();

  const server: Server = createServer(async (req, res) => {
    try {
      const raw = await readBody(req);
      const method = /\/bot[^/]+\/([A-Za-z]+)/.exec(req.url ?? '')?.[1] ?? '';
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      if (method !== 'getUpdates') calls.push({ method, body });

      const retryAfter = limits.get(method);
      if (retryAfter !== undefined) {
        limits.delete(method);
        res.writeHead(429, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } }));
        return;
      }

      let closed = false;
      res.on('close', () => {
        closed = true;
      });
      const deadline = Date.now() + (method === 'getUpdates' ? HOLD_MS : 0);
      for (;;) {
        const answer = await forward(targetUrl, req, raw);
        const empty = method === 'getUpdates' && answer.status === 200 && /"result":\[\]/.test(answer.text);
        if (!empty || Date.now() >= deadline || closed) {
          if (!closed) {
            res.writeHead(answer.status, { 'content-type': 'application/json' });
            res.end(answer.text);
          }
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
      }
    } catch (error) {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    rateLimitNext: (method, retryAfter) => limits.set(method, retryAfter),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function forward(targetUrl: string, req: IncomingMessage, body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${targetUrl}${req.url}`, {
    method: req.method,
    headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
    body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
  });
  return { status: response.status, text: await response.text() };
}
