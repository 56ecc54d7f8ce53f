import { Client, type ChatResponse } from './http.ts';
import type { LoadOptions } from './load.ts';
import { REPLY_TIMEOUT_MS, summarise, type ChannelLoad } from './load-summary.ts';
import type { RunningServer } from './server.ts';
import { createRandom, questions } from './stats.ts';

/**
 * Web chat sessions, each its own browser (cookie jar): questions, follow-up buttons and 👍.
 * An exchange id handed out twice would be one answer delivered twice.
 */

export async function webLoad(server: RunningServer, options: LoadOptions): Promise<ChannelLoad> {
  const latencies: number[] = [];
  const doneAt: number[] = [];
  const examples: string[] = [];
  const ids = new Set<string>();
  let expected = 0;
  let received = 0;
  let duplicated = 0;

  const runSession = async (index: number) => {
    const random = createRandom(options.seed * 7919 + index);
    const client = new Client(server.url);
    const pool = questions();
    let last: ChatResponse | undefined;
    for (let turn = 0; turn < options.webMessages; turn += 1) {
      const roll = random.next();
      const suggestion = last?.reply?.suggestions?.length ? random.pick(last.reply.suggestions) : undefined;
      expected += 1;
      if (roll < 0.15 && last?.exchangeId) {
        const rated = await client.request('POST', '/api/chat/feedback', { json: { exchangeId: last.exchangeId, value: 'up' }, timeoutMs: REPLY_TIMEOUT_MS });
        if (rated.status === 200) {
          received += 1;
          latencies.push(rated.ms);
          doneAt.push(performance.now());
        } else if (examples.length < 5) examples.push(`feedback → ${rated.status} ${rated.error ?? ''}`);
        continue;
      }
      const body = roll < 0.3 && suggestion ? { intent: suggestion.intent } : { text: random.pick(pool) };
      const answer = await client.request<ChatResponse>('POST', '/api/chat', { json: body, timeoutMs: REPLY_TIMEOUT_MS });
      const id = answer.body?.exchangeId;
      if (answer.status !== 200 || !id) {
        if (examples.length < 5) examples.push(`chat → ${answer.status} ${answer.error ?? ''}`);
        continue;
      }
      received += 1;
      if (ids.has(id)) duplicated += 1;
      ids.add(id);
      latencies.push(answer.ms);
      doneAt.push(performance.now());
      last = answer.body;
    }
    client.close();
  };

  const started = performance.now();
  await Promise.all(Array.from({ length: options.webSessions }, (_, index) => runSession(index)));
  const ended = performance.now();
  return summarise(options.webSessions, options.webMessages, expected, received, duplicated, latencies, doneAt, started, ended, examples);
}
