/**
 * npm run bench -- --reliability [--json] [--sections fuzz,crash,load,state,login,inbox] [sizes…]
 * Reports (never asserts) how the bot holds up:
 * 1. fuzz: the engine in process (fast-check, fixed seed), every HTTP route of the running
 *    server, and the pages that show citizens' text in headless Chromium;
 * 2. crash safety: kill -9 during chat traffic and during publishes, restart, check files,
 *    validation and that nothing acknowledged was lost;
 * 3. load through the real paths: Telegram users on the Bot API emulator, web chat sessions;
 * 4. state growth of the runtime store; 5. a login burst; 6. the inbox benchmark, if present.
 * test/reliability.test.ts runs the same harness small, and asserts the outcomes.
 */
import { parseArgs } from 'node:util';
import { checkPagesForInjection, seedPayloads } from './reliability/browser-check.ts';
import { crashSafety } from './reliability/crash.ts';
import { fuzzEngine } from './reliability/fuzz-engine.ts';
import { fuzzHttp, startFuzzServer } from './reliability/fuzz-http.ts';
import { inboxBench } from './reliability/inbox.ts';
import { loadTest } from './reliability/load.ts';
import { loginBurst } from './reliability/login-burst.ts';
import { formatReport, type ReliabilityReport } from './reliability/report.ts';
import { stateGrowth } from './reliability/state-growth.ts';

const SECTIONS = ['fuzz', 'crash', 'load', 'state', 'login', 'inbox'] as const;

/** Default sizes (the full run); every one can be changed with --<name> N. */
const SIZES = {
  'fuzz-cases': 100_000,
  'http-cases': 3_000,
  'expensive-cases': 10,
  'chat-kills': 100,
  'publish-kills': 50,
  'crash-clients': 20,
  'tg-users': 500,
  'tg-messages': 20,
  'web-sessions': 500,
  'web-messages': 20,
  sessions: 100_000,
  'steady-saves': 20_000,
  'login-attempts': 300,
  'login-right-at': 58,
  'inbox-messages': 10_000,
};
type SizeName = keyof typeof SIZES;

export async function runReliabilityBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      reliability: { type: 'boolean' },
      json: { type: 'boolean', default: false },
      seed: { type: 'string', default: '20261130' },
      sections: { type: 'string', default: SECTIONS.join(',') },
      ...Object.fromEntries(Object.keys(SIZES).map((name) => [name, { type: 'string' as const }])),
    },
  });
  const options = values as Record<string, string | boolean | undefined>;
  const sizes = Object.fromEntries(
    Object.entries(SIZES).map(([name, fallback]) => {
      const given = options[name];
      const value = typeof given === 'string' ? Number(given) : fallback;
      if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number ≥ 0 (got ${String(given)})`);
      return [name, value];
    }),
  ) as Record<SizeName, number>;
  const seed = Number(values.seed);
  const sections = new Set(String(values.sections).split(',').map((name) => name.trim()));
  for (const name of sections) if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`unknown section ${name}; choose from ${SECTIONS.join(', ')}`);

  const log = (message: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
  const report: ReliabilityReport = { seed, sizes, errors: [] };
  const run = async (section: string, work: () => Promise<void>) => {
    if (!sections.has(section)) return;
    log(`${section}: starting`);
    try {
      await work();
    } catch (error) {
      report.errors.push({ section, error: (error as Error).stack ?? String(error) });
    }
    log(`${section}: done`);
  };

  log(`seed ${seed}`);
  await run('fuzz', async () => {
    report.engineFuzz = await fuzzEngine({ cases: sizes['fuzz-cases'], seed });
    const target = await startFuzzServer();
    try {
      report.httpFuzz = await fuzzHttp(target, { cases: sizes['http-cases'], seed, expensiveCases: sizes['expensive-cases'] });
      await seedPayloads(target.server.url, target.admin);
      report.browser = await checkPagesForInjection(target.server.url, target.admin);
    } finally {
      await target.stop();
    }
  });
  await run('crash', async () => {
    report.crash = await crashSafety({ chatKills: sizes['chat-kills'], publishKills: sizes['publish-kills'], clients: sizes['crash-clients'], seed, log });
  });
  await run('load', async () => {
    report.load = await loadTest({
      telegramUsers: sizes['tg-users'],
      telegramMessages: sizes['tg-messages'],
      webSessions: sizes['web-sessions'],
      webMessages: sizes['web-messages'],
      seed,
      log,
    });
  });
  await run('state', async () => {
    report.stateGrowth = await stateGrowth({ sessions: sizes.sessions, steadySaves: sizes['steady-saves'] });
  });
  await run('login', async () => {
    report.loginBurst = await loginBurst({ attempts: sizes['login-attempts'], rightAt: sizes['login-right-at'] });
  });
  await run('inbox', async () => {
    report.inbox = await inboxBench({ messages: sizes['inbox-messages'] });
  });

  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  // A report, not a test: bad figures still exit 0; only a section that could not run fails.
  return report.errors.length > 0 ? 1 : 0;
}
