import { request } from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * The load of `npm run bench -- --scale`: simulated Telegram users, each sending its questions
 * one after another (the next once the previous is answered, as a person would), delivered to
 * the bot's webhook the way Telegram delivers them: a POST with the secret header, re-sent with
 * a growing wait when the call fails or answers other than 2xx. The bot's webhook answers only
 * after its reply went out to the Bot API, so the POST's round trip is the citizen's wait.
 *
 * A fraction of updates is delivered twice at the same moment, to two connections (so possibly
 * two processes), as Telegram may after a timeout: the bot must answer once.
 */

export interface LoadOptions {
  port: number;
  secret: string;
  users: number;
  /** Questions per user. */
  rounds: number;
  texts: string[];
  /** Every n-th update is also delivered a second time at once (0: never). */
  duplicateEvery: number;
  /** Called after each acknowledged update with how many are done (for the kill). */
  onProgress?: (done: number, total: number) => void;
  /** First update id and chat id (a warm-up uses other ones than the measured run). */
  firstUpdateId?: number;
  firstChatId?: number;
}

export interface Delivery {
  updateId: number;
  chatId: number;
  text: string;
  start: number;
  end: number;
  acknowledged: boolean;
  /** Failed calls before the acknowledgement (a killed process shows here). */
  failures: number;
  duplicated: boolean;
}

export async function runLoad(options: LoadOptions): Promise<{ deliveries: Delivery[]; seconds: number }> {
  const deliveries: Delivery[] = [];
  const total = options.users * options.rounds;
  let nextUpdate = options.firstUpdateId ?? 1;
  let done = 0;
  const started = performance.now();

  async function user(index: number): Promise<void> {
    const chatId = (options.firstChatId ?? 100_000) + index;
    for (let round = 0; round < options.rounds; round += 1) {
      const updateId = nextUpdate++;
      const text = options.texts[(index * options.rounds + round) % options.texts.length]!;
      const update = {
        update_id: updateId,
        message: { message_id: updateId, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private' }, from: { id: chatId, is_bot: false, first_name: `用户${index}` }, text },
      };
      const duplicated = options.duplicateEvery > 0 && updateId % options.duplicateEvery === 0;
      const start = Date.now();
      const copies = await Promise.all((duplicated ? [0, 1] : [0]).map(() => deliverLikeTelegram(options, update)));
      deliveries.push({
        updateId,
        chatId,
        text,
        start,
        end: Date.now(),
        acknowledged: copies.every((copy) => copy.acknowledged),
        failures: copies.reduce((sum, copy) => sum + copy.failures, 0),
        duplicated,
      });
      done += 1;
      options.onProgress?.(done, total);
    }
  }

  await Promise.all(Array.from({ length: options.users }, (_, index) => user(index)));
  return { deliveries, seconds: (performance.now() - started) / 1000 };
}

/** Telegram keeps re-sending an update until the webhook answers 2xx; we give up after 30 tries. */
async function deliverLikeTelegram(options: LoadOptions, update: unknown): Promise<{ acknowledged: boolean; failures: number }> {
  const body = JSON.stringify(update);
  for (let attempt = 0; attempt < 30; attempt += 1) {
    const status = await post(options.port, options.secret, body).catch(() => 0); // a refused or reset connection, or a timeout
    if (status >= 200 && status < 300) return { acknowledged: true, failures: attempt };
    await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 2000)));
  }
  return { acknowledged: false, failures: 30 };
}

/** One POST on a new connection (agent: false), so the cluster hands each to a process anew. */
function post(port: number, secret: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const call = request(
      {
        host: '127.0.0.1',
        port,
        path: '/telegram/webhook',
        method: 'POST',
        agent: false,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-Telegram-Bot-Api-Secret-Token': secret },
        // Telegram gives up on a webhook call after about a minute and sends it again.
        timeout: 60_000,
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    call.on('timeout', () => call.destroy(new Error('timeout')));
    call.on('error', reject);
    call.end(body);
  });
}

/** What the citizens saw, from the Bot API emulator's record of the bot's messages. */
export interface ReplyCount {
  /** Acknowledged updates with no reply in their window. */
  lost: number;
  /** Updates whose reply arrived twice (the same message text twice in one window). */
  duplicated: number;
  /** Updates never acknowledged (Telegram would give up). */
  unacknowledged: number;
}

export function countReplies(deliveries: Delivery[], botMessages: { time: number; chatId: number; text: string }[]): ReplyCount {
  const byChat = new Map<number, { time: number; text: string }[]>();
  for (const message of botMessages) {
    const list = byChat.get(message.chatId) ?? [];
    list.push(message);
    byChat.set(message.chatId, list);
  }
  let lost = 0;
  let duplicated = 0;
  let unacknowledged = 0;
  for (const delivery of deliveries) {
    if (!delivery.acknowledged) {
      unacknowledged += 1;
      continue;
    }
    // A user's updates are sequential, so the replies sent between this update's first POST and
    // its acknowledgement are this update's.
    const window = (byChat.get(delivery.chatId) ?? []).filter((message) => message.time >= delivery.start && message.time <= delivery.end);
    if (window.length === 0) lost += 1;
    if (new Set(window.map((message) => message.text)).size < window.length) duplicated += 1;
  }
  return { lost, duplicated, unacknowledged };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
