/**
 * Outgoing calls survive Telegram's limits and a flaky network, a few attempts at most:
 * - a 429 answer carries `parameters.retry_after` (seconds): wait that long and try again;
 * - a network failure (reset socket, refused or timed-out connection, DNS hiccup) or a 5xx from
 *   the Bot API: wait a short, growing delay (1 s, 2 s, …) and try again, so one reset socket
 *   does not cost a citizen the answer. Such a retry can, rarely, deliver a message twice (the
 *   first attempt reached Telegram before the socket broke); a duplicate beats a lost answer.
 * Other errors (400 bad request, 403 blocked by the user) go straight to the caller.
 */

export interface RetryOptions {
  attempts?: number;
  /** Upper bound for one wait, so a huge retry_after cannot stall a handler forever. */
  maxWaitSeconds?: number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (info: { method: string; retryAfter: number; attempt: number; reason: 'rate_limit' | 'network' }) => void;
}

type CallApi = (method: string, payload: unknown, options?: unknown) => Promise<unknown>;

export function retryAfterOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { code?: unknown; response?: { error_code?: unknown; parameters?: { retry_after?: unknown } } };
  const code = candidate.code ?? candidate.response?.error_code;
  if (code !== 429) return undefined;
  const retryAfter = candidate.response?.parameters?.retry_after;
  return typeof retryAfter === 'number' && retryAfter >= 0 ? retryAfter : 1;
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);

/** Seconds to wait before retrying a failed network call, or undefined when it must not be retried. */
export function networkRetryOf(error: unknown, attempt: number): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { code?: unknown; errno?: unknown; type?: unknown; response?: { error_code?: unknown }; cause?: unknown };
  const status = candidate.response?.error_code;
  const code = typeof candidate.code === 'string' ? candidate.code : typeof candidate.errno === 'string' ? candidate.errno : undefined;
  const transient =
    (typeof status === 'number' && status >= 500) ||
    (code !== undefined && NETWORK_CODES.has(code)) ||
    (candidate.type === 'system' && code !== undefined) || // node-fetch's FetchError for socket errors
    (candidate.cause !== undefined && candidate.cause !== error && networkRetryOf(candidate.cause, attempt) !== undefined);
  return transient ? 2 ** (attempt - 1) : undefined;
}

/** Wraps `target.callApi` in place (telegraf's Telegram object, one per update). */
export function installRetry(target: { callApi: CallApi }, options: RetryOptions = {}): void {
  const original = target.callApi.bind(target);
  const attempts = options.attempts ?? 3;
  const maxWait = options.maxWaitSeconds ?? 60;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  target.callApi = async (method, payload, callOptions) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await original(method, payload, callOptions);
      } catch (error) {
        const limited = retryAfterOf(error);
        const retryAfter = limited ?? networkRetryOf(error, attempt);
        // getUpdates has its own back-off in telegraf's polling loop.
        if (retryAfter === undefined || attempt >= attempts || method === 'getUpdates') throw error;
        options.onRetry?.({ method, retryAfter, attempt, reason: limited === undefined ? 'network' : 'rate_limit' });
        await sleep(Math.min(retryAfter, maxWait) * 1000);
      }
    }
  };
}
