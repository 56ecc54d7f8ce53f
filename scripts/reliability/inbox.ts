import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from './server.ts';

/**
 * The inbox benchmark belongs to another piece of work (scripts/bench-inbox.ts, exporting
 * `benchInbox({ messages })`). It is imported only when present, so this harness runs on
 * branches with or without it.
 */

export const INBOX_BENCH = join(REPO, 'scripts', 'bench-inbox.ts');
export const INBOX_ABSENT = 'inbox: scripts/bench-inbox.ts not present';

export async function inboxBench(options: { messages: number }): Promise<{ skipped: string } | { result: unknown }> {
  if (!existsSync(INBOX_BENCH)) return { skipped: INBOX_ABSENT };
  const module = (await import(pathToFileURL(INBOX_BENCH).href)) as { benchInbox?: (options: { messages: number }) => Promise<unknown> };
  if (typeof module.benchInbox !== 'function') return { skipped: 'inbox: scripts/bench-inbox.ts has no benchInbox export' };
  return { result: await module.benchInbox({ messages: options.messages }) };
}
