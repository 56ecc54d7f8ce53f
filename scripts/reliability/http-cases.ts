import fc from 'fast-check';
import { hostileText, replaceLoneSurrogates, XSS_PAYLOADS } from './payloads.ts';
import type { Random } from './stats.ts';

/**
 * What the HTTP fuzzer sends: the route table, and requests built per case — random JSON,
 * text that is not JSON, bodies over the 4 MB cap, and bodies shaped like the real ones with
 * hostile values (the only way past the first validation).
 */

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** `:name`, `:id` and `:file` are filled per case. */
  path: string;
  auth: boolean;
  /** Builds and trains a draft engine, or rewrites the knowledge: a few per run, not hundreds. */
  expensive?: boolean;
}

export const ROUTES: Route[] = [
  { method: 'POST', path: '/api/chat', auth: false },
  { method: 'POST', path: '/api/chat/feedback', auth: false },
  { method: 'POST', path: '/api/chat/forget', auth: false },
  { method: 'GET', path: '/api/chat/menu', auth: false },
  { method: 'POST', path: '/api/login', auth: false },
  { method: 'POST', path: '/api/logout', auth: false },
  { method: 'GET', path: '/api/session', auth: false },
  { method: 'GET', path: '/healthz', auth: false },
  { method: 'GET', path: '/assets/:file', auth: false },
  { method: 'POST', path: '/telegram/webhook', auth: false },
  { method: 'GET', path: '/console/:page', auth: true },
  { method: 'POST', path: '/api/staff/ask', auth: true },
  { method: 'POST', path: '/api/staff/batch', auth: true },
  { method: 'GET', path: '/api/staff/dashboard', auth: true },
  { method: 'GET', path: '/api/staff/topics', auth: true },
  { method: 'GET', path: '/api/admin/inbox', auth: true },
  { method: 'POST', path: '/api/admin/inbox/add-example', auth: true },
  { method: 'POST', path: '/api/admin/inbox/status', auth: true },
  { method: 'GET', path: '/api/admin/draft', auth: true },
  { method: 'POST', path: '/api/admin/draft/discard', auth: true },
  { method: 'POST', path: '/api/admin/intents', auth: true },
  { method: 'PUT', path: '/api/admin/intents/:name', auth: true },
  { method: 'DELETE', path: '/api/admin/intents/:name', auth: true },
  { method: 'POST', path: '/api/admin/facts', auth: true },
  { method: 'PUT', path: '/api/admin/facts/:id', auth: true },
  { method: 'DELETE', path: '/api/admin/facts/:id', auth: true },
  { method: 'GET', path: '/api/admin/history', auth: true },
  { method: 'GET', path: '/api/admin/preview', auth: true, expensive: true },
  { method: 'POST', path: '/api/admin/publish', auth: true, expensive: true },
  { method: 'POST', path: '/api/admin/history/:id/rollback', auth: true, expensive: true },
];

export type Shape = 'structured' | 'json' | 'text' | 'huge' | 'empty';

export interface FuzzCase {
  route: Route;
  shape: Shape;
  text: string;
  json: unknown;
  /** Drives every choice made at send time from live values (known ids, revisions). */
  pick: number;
}

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  route: fc.constantFrom(...ROUTES),
  shape: fc.constantFrom<Shape>('structured', 'structured', 'structured', 'json', 'text', 'empty', 'huge'),
  text: hostileText,
  json: fc.jsonValue({ maxDepth: 4 }),
  pick: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

/** What the server told us so far, to shape bodies that get past the first check. */
export interface Context {
  exchangeIds: string[];
  intents: { item: Record<string, unknown>; revision: string }[];
  facts: { item: Record<string, unknown>; revision: string }[];
  historyIds: string[];
}

const PAGES = ['bench', 'dashboard', 'inbox', 'knowledge', 'publish', 'nope', '..%2f..%2fpackage.json'];
const ASSETS = ['chat.js', 'console.css', '..%2f..%2f..%2fpackage.json', '%2e%2e%2fserver.ts', 'x'.repeat(3000), '%00', '%E4%B8'];

export function fillPath(template: string, random: Random, context: Context, text: string): string {
  const intent = random.chance(0.8) && context.intents.length > 0 ? String(random.pick(context.intents).item.name) : text;
  const fact = random.chance(0.8) && context.facts.length > 0 ? String(random.pick(context.facts).item.id) : text;
  const history = random.chance(0.7) && context.historyIds.length > 0 ? random.pick(context.historyIds) : text;
  let path = template
    .replace(':name', encodeSegment(intent))
    .replace(':id', encodeSegment(template.includes('facts') ? fact : history))
    .replace(':file', random.chance(0.5) ? random.pick(ASSETS) : encodeSegment(text))
    .replace(':page', random.pick(PAGES));
  if (template === '/api/admin/inbox') path += `?status=${random.chance(0.5) ? random.pick(['new', 'done', 'ignored']) : encodeSegment(text.slice(0, 100))}`;
  return path;
}

/** Percent-encodes hostile text for a URL; a lone surrogate becomes the bytes a sloppy client would send. */
function encodeSegment(text: string): string {
  return encodeURIComponent(replaceLoneSurrogates(text.slice(0, 300))).replace(/%EF%BF%BD/g, '%ED%A0%80');
}

export function buildBody(route: Route, item: FuzzCase, random: Random, context: Context, mayBeExpensive: boolean) {
  if (route.method === 'GET') return {};
  switch (item.shape) {
    case 'empty':
      return { raw: '' };
    case 'text':
      return { raw: item.text, headers: { 'content-type': random.pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) } };
    case 'json':
      return { json: item.json };
    case 'huge':
      // Over the 4 MB cap (expect 413), or just under it with one very long field.
      return random.chance(0.5)
        ? { raw: `{"text":"${'法'.repeat(1_800_000)}"}`, headers: { 'content-type': 'application/json' }, fresh: true }
        : { json: { text: item.text.repeat(Math.ceil(1_000_000 / Math.max(1, item.text.length))).slice(0, 1_000_000), content: '法律援助\n'.repeat(100_000) }, fresh: true };
    case 'structured':
      return { json: structuredBody(route, item, random, context, mayBeExpensive) };
  }
}

function structuredBody(route: Route, item: FuzzCase, random: Random, context: Context, mayBeExpensive: boolean): unknown {
  const text = random.chance(0.3) ? random.pick(XSS_PAYLOADS) : item.text;
  const exchangeId = () => (random.chance(0.7) && context.exchangeIds.length > 0 ? random.pick(context.exchangeIds) : text.slice(0, 40));
  const intent = () => (context.intents.length > 0 ? random.pick(context.intents) : undefined);
  const fact = () => (context.facts.length > 0 ? random.pick(context.facts) : undefined);
  switch (route.path) {
    case '/api/chat':
      return random.pick([{ text }, { intent: intent()?.item.name ?? text }, { choice: text }, { text: item.json }, { text, intent: text }]);
    case '/api/chat/feedback':
      return { exchangeId: exchangeId(), value: random.pick(['up', 'down', text]) };
    case '/api/login':
      return { user: random.pick(['admin', text, item.json]), password: random.pick([text, item.json, 'x'.repeat(10_000)]) };
    case '/telegram/webhook':
      return { update_id: random.int(1e9), message: { message_id: 1, chat: { id: 1, type: 'private' }, from: { id: 1 }, date: 0, text } };
    case '/api/staff/ask':
      return { text, draft: mayBeExpensive && random.chance(0.1) };
    case '/api/staff/batch': {
      const rows = Array.from({ length: random.int(20) + 1 }, () => JSON.stringify({ text: random.chance(0.5) ? text : item.json, topic: text.slice(0, 20) }));
      return random.chance(0.5)
        ? { content: rows.join('\n'), filename: 'batch.jsonl', draft: mayBeExpensive && random.chance(0.1) }
        : { content: `text,topic\n"${text.replace(/"/g, '""')}",hotline\n${text}`, filename: text.slice(0, 50) || 'x.csv' };
    }
    case '/api/admin/inbox/add-example':
      return { exchangeIds: random.chance(0.8) ? [exchangeId()] : item.json, intent: intent()?.item.name ?? text, text };
    case '/api/admin/inbox/status':
      return { exchangeIds: random.chance(0.8) ? [exchangeId(), exchangeId()] : item.json, status: random.pick(['new', 'done', 'ignored', text]) };
    case '/api/admin/intents':
    case '/api/admin/intents/:name': {
      const base = intent();
      const mutated = base ? mutate(base.item, random, text, item.json) : item.json;
      return { item: random.chance(0.1) ? item.json : mutated, revision: random.chance(0.8) ? base?.revision : text };
    }
    case '/api/admin/facts':
    case '/api/admin/facts/:id': {
      const base = fact();
      const mutated = base ? mutate(base.item, random, text, item.json) : item.json;
      return { item: random.chance(0.1) ? item.json : mutated, revision: random.chance(0.8) ? base?.revision : text };
    }
    default:
      return random.chance(0.5) ? { revision: random.chance(0.5) ? intent()?.revision : text } : item.json;
  }
}

/** A real item with one field replaced by hostile text or random JSON (an example added, a name changed…). */
function mutate(item: Record<string, unknown>, random: Random, text: string, json: unknown): Record<string, unknown> {
  const copy = structuredClone(item);
  const keys = Object.keys(copy);
  const key = random.pick(keys);
  const value = copy[key];
  if (Array.isArray(value) && random.chance(0.7)) copy[key] = [...value, text];
  else copy[key] = random.chance(0.7) ? text : json;
  return copy;
}
