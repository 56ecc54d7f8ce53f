import type { BrowserCheckResult } from './browser-check.ts';
import type { CrashResult } from './crash.ts';
import type { EngineFuzzResult } from './fuzz-engine.ts';
import type { HttpFuzzResult } from './fuzz-http.ts';
import type { ChannelLoad, LoadResult } from './load.ts';
import type { LoginBurstResult } from './login-burst.ts';
import type { StateGrowthResult } from './state-growth.ts';

/** The reliability report as people read it; `--json` prints the same object as JSON instead. */

export interface ReliabilityReport {
  seed: number;
  sizes: Record<string, number>;
  engineFuzz?: EngineFuzzResult;
  httpFuzz?: HttpFuzzResult;
  browser?: BrowserCheckResult;
  crash?: CrashResult;
  load?: LoadResult;
  stateGrowth?: StateGrowthResult;
  loginBurst?: LoginBurstResult;
  inbox?: { skipped: string } | { result: unknown };
  /** A section that could not run to the end (a harness failure, not a measurement). */
  errors: { section: string; error: string }[];
}

const line = (label: string, value: unknown) => `  ${label.padEnd(34)} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`;

export function formatReport(report: ReliabilityReport): string {
  const out: string[] = [`reliability report (seed ${report.seed})`, ''];
  const { engineFuzz: engine, httpFuzz: http, browser, crash, load, stateGrowth: state, loginBurst: login, inbox } = report;
  if (engine) {
    out.push(`1. fuzz — engine in process (${engine.cases} cases, fast-check seed ${engine.seed}, ${engine.ms} ms)`);
    out.push(line('crashes (exceptions)', engine.crashes));
    out.push(line('replies with lone surrogates', engine.illFormedReplies));
    out.push(line('replies over 4,096 characters', `${engine.overLongReplies} (longest ${engine.longestReply})`));
    for (const example of engine.examples) out.push(line(`  e.g. ${example.problem}`, `${example.input} → ${example.detail.split('\n')[0]}`));
  }
  if (http) {
    out.push(`1. fuzz — every HTTP route of the running server (${http.cases} cases, seed ${http.seed}, ${http.ms} ms)`);
    out.push(line('5xx answers', http.serverErrors));
    out.push(line('server crashes', http.serverCrashes));
    out.push(line('no answer (server up)', http.unanswered));
    out.push(line('over-cap bodies refused by closing', http.hugeClosed));
    out.push(line('statuses', http.statuses));
    out.push(line('expensive cases (publish, preview…)', http.expensiveCases));
    for (const example of http.examples) out.push(line(`  e.g. ${example.route}`, `${example.status} ${example.body.slice(0, 120)}`));
  }
  if (browser) {
    out.push('1. fuzz — pages that show citizens\' text, in headless Chromium');
    if (browser.skipped) out.push(line('skipped', browser.skipped));
    out.push(line('injected scripts that ran', browser.scriptsRan));
    out.push(line('injected elements rendered', browser.injectedElements));
    out.push(line('payloads shown as text (sanity)', browser.payloadsShown));
    for (const page of browser.pages) out.push(line(`  ${page.page}`, `ran ${page.scriptsRan}, elements ${page.injectedElements}, shown ${page.payloadsShown}${page.error ? `, error: ${page.error}` : ''}`));
  }
  if (crash) {
    out.push(`2. crash safety (kill -9: ${crash.kills.chat} during chat, ${crash.kills.publish} during publishes, ${crash.kills.publishInFlight} with a publish in flight; ${Math.round(crash.ms / 1000)} s)`);
    out.push(line('failures to start', crash.startFailures));
    out.push(line('repairs needed to go on', crash.repairs.length ? crash.repairs.join('; ') : 'none'));
    out.push(line('validation (npm run check) failures', `${crash.validationFailures} of ${crash.validationsRun} runs (re-run only when the knowledge changed)`));
    out.push(line('unparseable files right after a kill', crash.unparseableAfterKill));
    out.push(line('torn JSONL tails right after a kill', crash.tornJsonlAfterKill));
    out.push(line('*.corrupt-* files at the end', crash.corruptFiles.length));
    out.push(line('leftover temp files at the end', crash.leftoverTempFiles.length ? crash.leftoverTempFiles.join(', ') : 0));
    out.push(line('acknowledged exchanges: lost', `${crash.lost.exchanges} of ${crash.acknowledged.exchanges}`));
    out.push(line('acknowledged 👍 ratings: lost', `${crash.lost.ratings} of ${crash.acknowledged.ratings}`));
    out.push(line('acknowledged publishes: lost', `${crash.lost.publishes} of ${crash.acknowledged.publishes}`));
    out.push(line('median start under traffic', `${crash.startMs} ms`));
    out.push(line('one publish takes about', `${crash.publishMs} ms`));
    for (const example of crash.examples) out.push(line('  e.g.', example.slice(0, 200)));
  }
  if (load) {
    if (load.telegram) {
      out.push(...channel('3. load — Telegram (Bot API emulator)', load.telegram));
      out.push(line('转人工 delivered to staff', `${load.telegram.handoffsDelivered} of ${load.telegram.handoffs} (staff messages in all: ${load.telegram.staffMessages})`));
      out.push(line('messages after 👍 (toast only)', load.telegram.unexpectedMessages));
      out.push(line('users who lost an answer', `${load.telegram.usersWithLoss} (their later duplicates not counted)`));
      out.push(line('steps', load.telegram.steps));
    }
    if (load.web) out.push(...channel('3. load — web chat', load.web));
    out.push(line('peak RSS of the server (VmHWM)', `${load.peakRssMiB ?? '?'} MiB`));
    if (load.serverDied) out.push(line('THE SERVER DIED during the run', `${load.serverDied.exit}: ${load.serverDied.output.slice(-600)}`));
  }
  if (state) {
    out.push(`4. state growth (${state.sessions} sessions, then ${state.steadySaves} more saves)`);
    out.push(line('fill', `${state.fillMs} ms, then flush ${state.flushAfterFillMs} ms`));
    out.push(line('event-loop delay while saving', `p50 ${state.eventLoopDelayMs.p50} ms, p99 ${state.eventLoopDelayMs.p99} ms, max ${state.eventLoopDelayMs.max} ms`));
    out.push(line('flush after steady saving', `${state.flushMs} ms`));
    out.push(line('reopen the store', `${state.reopenMs} ms, ${state.missingAfterReopen} sessions missing`));
    out.push(line('RSS now / peak', `${state.rssMiB} / ${state.peakRssMiB} MiB`));
    out.push(line('on disk (state.json)', `${state.diskMiB} MiB (${state.stateFileMiB} MiB)`));
  }
  if (login) {
    out.push(`5. login burst (${login.attempts} at once, right password at #${login.rightAt}, ${login.burstMs} ms)`);
    out.push(line('statuses', login.statuses));
    out.push(line('right password', `${login.rightPasswordStatus} (${login.rightPasswordLoggedIn ? 'logged in' : 'not logged in'})`));
    out.push(line('chat before: p50 / p99', `${login.chat.before.p50Ms} / ${login.chat.before.p99Ms} ms (n ${login.chat.before.n})`));
    out.push(line('chat during: p50 / p99', `${login.chat.during.p50Ms} / ${login.chat.during.p99Ms} ms (n ${login.chat.during.n}, failed ${login.chat.during.failed})`));
  }
  if (inbox) {
    out.push('6. inbox');
    out.push('skipped' in inbox ? `  ${inbox.skipped}` : line('result', inbox.result));
  }
  for (const error of report.errors) out.push(`section ${error.section} did not finish: ${error.error}`);
  return out.join('\n');
}

function channel(title: string, load: ChannelLoad): string[] {
  return [
    `${title}: ${load.users} users × ${load.messagesPerUser} (${load.seconds} s)`,
    line('answers expected / received', `${load.expected} / ${load.received}`),
    line('lost / duplicated', `${load.lost} / ${load.duplicated}`),
    line('time to first reply p50 / p99 / max', `${load.p50Ms} / ${load.p99Ms} / ${load.maxMs} ms`),
    line('answers per second by quarter', load.throughputByQuarter.join(' → ')),
    ...load.examples.map((example) => line('  e.g.', example)),
  ];
}
