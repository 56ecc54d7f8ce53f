import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Client, sleep, type ChatResponse } from './http.ts';
import { questions, type Random } from './stats.ts';

/**
 * The traffic of the crash test: browsers chatting and rating, and an admin publishing. Each
 * loop keeps going across kills (a refused connection is retried once the server is back) and
 * records only what the server acknowledged.
 */

export interface Traffic {
  /** False while the server is down: the loops wait instead of spinning on refused connections. */
  up: boolean;
  stopped: boolean;
  publishing: boolean;
  /** Exchange ids a 200 from /api/chat handed out, and those a 200 from /feedback rated 👍. */
  exchanges: Set<string>;
  ratings: Set<string>;
  /** The highest `[rN]` mark a publish answered 200 for. */
  lastPublished: number;
  publishesAcknowledged: number;
  /** How long a publish takes (moving average), to aim kills inside one. */
  publishMs: number;
  /** Called as a publish request is sent. */
  publishWaiters: (() => void)[];
  requests: { chat: number; feedback: number; publishes: number };
}

export function createTraffic(): Traffic {
  return {
    up: false,
    stopped: false,
    publishing: false,
    exchanges: new Set(),
    ratings: new Set(),
    lastPublished: 0,
    publishesAcknowledged: 0,
    publishMs: 0,
    publishWaiters: [],
    requests: { chat: 0, feedback: 0, publishes: 0 },
  };
}

export async function chatLoop(client: Client, traffic: Traffic, random: Random): Promise<void> {
  const pool = questions();
  while (!traffic.stopped) {
    if (!traffic.up) {
      await sleep(20);
      continue;
    }
    traffic.requests.chat += 1;
    const answer = await client.request<ChatResponse>('POST', '/api/chat', { json: { text: random.pick(pool) }, timeoutMs: 15_000 });
    const id = answer.body?.exchangeId;
    if (answer.status !== 200 || !id) {
      await sleep(20);
      continue;
    }
    traffic.exchanges.add(id);
    if (random.chance(0.5)) {
      traffic.requests.feedback += 1;
      const rated = await client.request('POST', '/api/chat/feedback', { json: { exchangeId: id, value: 'up' }, timeoutMs: 15_000 });
      if (rated.status === 200) traffic.ratings.add(id);
    }
  }
  client.close();
}

/** The publish loop edits this intent (the first of the draft) and numbers each edit `[rN]`. */
const TARGET_INTENT_INDEX = 0;
const MARK = / \[r(\d+)\]$/;

type DraftIntents = { intents?: { item: Record<string, unknown> & { name: string; description: string }; revision: string }[] };

/** Edits one intent's description (nothing the model learns from, so no retraining) and publishes. */
export async function publishLoop(client: Client, traffic: Traffic): Promise<void> {
  let counter = 0;
  while (!traffic.stopped) {
    if (!traffic.up || !traffic.publishing) {
      await sleep(20);
      continue;
    }
    if (!client.csrf && (await client.login()).status !== 200) {
      await sleep(100);
      continue;
    }
    const draft = await client.request<DraftIntents>('GET', '/api/admin/draft');
    if (draft.status === 401) client.csrf = undefined;
    const target = draft.body?.intents?.[TARGET_INTENT_INDEX];
    if (draft.status !== 200 || !target) {
      await sleep(50);
      continue;
    }
    counter = Math.max(counter, traffic.lastPublished, Number(MARK.exec(target.item.description)?.[1] ?? 0)) + 1;
    const description = `${target.item.description.replace(MARK, '')} [r${counter}]`;
    const saved = await client.request('PUT', `/api/admin/intents/${encodeURIComponent(target.item.name)}`, {
      json: { item: { ...target.item, description }, revision: target.revision },
    });
    if (saved.status !== 200) continue;
    for (const wake of traffic.publishWaiters.splice(0)) wake();
    traffic.requests.publishes += 1;
    const publishedAt = performance.now();
    const published = await client.request('POST', '/api/admin/publish', { timeoutMs: 60_000 });
    if (published.status === 200) {
      traffic.lastPublished = Math.max(traffic.lastPublished, counter);
      traffic.publishesAcknowledged += 1;
      const took = performance.now() - publishedAt;
      traffic.publishMs = traffic.publishMs === 0 ? took : traffic.publishMs * 0.7 + took * 0.3;
    }
  }
  client.close();
}

/** The highest `[rN]` mark in the intent files on disk: what a restarted server will serve (0: none). */
export async function publishedMark(intentsDir: string): Promise<number> {
  let best = 0;
  for (const name of await readdir(intentsDir)) {
    if (!name.endsWith('.yaml')) continue;
    try {
      const file = parseYaml(await readFile(join(intentsDir, name), 'utf8')) as { intents?: { description?: string }[] };
      for (const intent of file.intents ?? []) best = Math.max(best, Number(MARK.exec(intent.description ?? '')?.[1] ?? 0));
    } catch {
      // an unparseable file is counted by checkFiles; here it simply holds no mark
    }
  }
  return best;
}
