import { describe, expect, it } from 'vitest';
import { installRetry } from '../../../src/channels/telegram/retry.ts';

/** A Bot API client whose first calls fail with the given errors, then succeed. */
function flaky(errors: unknown[]) {
  const calls: string[] = [];
  const target = {
    callApi: async (method: string, _payload?: unknown) => {
      calls.push(method);
      const error = errors.shift();
      if (error) throw error;
      return { ok: method };
    },
  };
  const waits: number[] = [];
  installRetry(target, { sleep: async (ms) => void waits.push(ms) });
  return { target, calls, waits };
}

describe('outgoing Telegram calls', () => {
  it('retry a reset socket, so one network hiccup does not cost the citizen the answer', async () => {
    const { target, calls, waits } = flaky([Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })]);
    await expect(target.callApi('sendMessage', {})).resolves.toEqual({ ok: 'sendMessage' });
    expect(calls).toEqual(['sendMessage', 'sendMessage']);
    expect(waits).toEqual([1000]);
  });

  it('retry node-fetch system errors and Bot API 5xx with a growing wait', async () => {
    const { target, waits } = flaky([
      { name: 'FetchError', type: 'system', code: 'ETIMEDOUT' },
      { response: { error_code: 502, description: 'Bad Gateway' } },
    ]);
    await expect(target.callApi('sendMessage', {})).resolves.toEqual({ ok: 'sendMessage' });
    expect(waits).toEqual([1000, 2000]);
  });

  it('give up after three attempts and pass the error on', async () => {
    const reset = () => Object.assign(new Error('reset'), { code: 'ECONNRESET' });
    const { target, calls } = flaky([reset(), reset(), reset()]);
    await expect(target.callApi('sendMessage', {})).rejects.toThrow('reset');
    expect(calls).toHaveLength(3);
  });

  it('do not retry a refusal that would fail again (400, 403 blocked by the user)', async () => {
    const { target, calls } = flaky([{ response: { error_code: 403, description: 'Forbidden: bot was blocked by the user' } }]);
    await expect(target.callApi('sendMessage', {})).rejects.toMatchObject({ response: { error_code: 403 } });
    expect(calls).toHaveLength(1);
  });

  it('wait as long as a 429 says', async () => {
    const { target, waits } = flaky([{ response: { error_code: 429, parameters: { retry_after: 3 } } }]);
    await target.callApi('sendMessage', {});
    expect(waits).toEqual([3000]);
  });
});
