/**
 * Outgoing calls respect Telegram's limits: a 429 answer carries `parameters.retry_after`
 * (seconds); the call waits that long and tries again, a few times at most. Other errors go
 * straight to the caller.
 */

export interface RetryOptions {
  attempts?: number;
  /** Upper bound for one wait, so a huge retry_after cannot stall a handler forever. */
  maxWaitSeconds?: number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (info: { method: string; retryAfter: number; attempt: number }) => void;
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
        const retryAfter = retryAfterOf(error);
        // getUpdates has its own back-off in telegraf's polling loop.
        if (retryAfter === undefined || attempt >= attempts || method === 'getUpdates') throw error;
        options.onRetry?.({ method, retryAfter, attempt });
        await sleep(Math.min(retryAfter, maxWait) * 1000);
      }
    }
  };
}
