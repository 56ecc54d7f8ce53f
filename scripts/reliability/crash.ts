import { cp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createRuntimeStore } from '../../src/adapters/runtime-store.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { chatLoop, createTraffic, publishedMark, publishLoop, type Traffic } from './crash-traffic.ts';
import { checkFiles, hashTree } from './files.ts';
import { Client, sleep } from './http.ts';
import { createProject, freePort, REPO, startServer, StartError, validateKnowledge, type Project, type RunningServer } from './server.ts';
import { createRandom, percentile } from './stats.ts';

/**
 * Crash safety: chat traffic from many browsers and an admin publishing, while the server is
 * killed with SIGKILL at random moments and started again. Everything the server acknowledged
 * (an exchange id in a 200, a rating answered 200, a publish answered 200) must still be there
 * afterwards, and every file must still parse and validate.
 */

export interface CrashOptions {
  chatKills: number;
  publishKills: number;
  clients: number;
  seed: number;
  log?: (line: string) => void;
}

export interface CrashResult {
  seed: number;
  kills: { chat: number; publish: number; publishInFlight: number };
  restarts: number;
  /** Median time from spawn to "listening". */
  startMs: number;
  startFailures: number;
  /** How a failed start was got past: the knowledge put back from git, the runtime moved aside. */
  repairs: string[];
  validationsRun: number;
  validationFailures: number;
  /** Files that did not parse right after a kill (JSON, JSON lines, YAML), summed over kills. */
  unparseableAfterKill: number;
  tornJsonlAfterKill: number;
  /** `*.corrupt-*` files in RUNTIME_DIR at the end (what the server moved aside on start). */
  corruptFiles: string[];
  leftoverTempFiles: string[];
  acknowledged: { exchanges: number; ratings: number; publishes: number };
  lost: { exchanges: number; ratings: number; publishes: number };
  requests: Traffic['requests'];
  publishMs: number;
  examples: string[];
  ms: number;
}

const MAX_EXAMPLES = 10;

export async function crashSafety(options: CrashOptions): Promise<CrashResult> {
  const log = options.log ?? (() => undefined);
  const random = createRandom(options.seed);
  const project = await createProject('reliability-crash-');
  const result = emptyResult(options.seed);
  const traffic = createTraffic();
  result.requests = traffic.requests;
  const started = performance.now();
  const keeper = await createKeeper(project, result, log);

  let server = await keeper.restart();
  const clients = Array.from({ length: options.clients }, (_, index) => chatLoop(new Client(server.url), traffic, createRandom(options.seed + index + 1)));
  const admin = publishLoop(new Client(server.url), traffic);
  traffic.up = true;

  const killAndRestart = async () => {
    await server.kill9();
    traffic.up = false;
    const disk = await checkFiles([project.runtimeDir, project.intentsDir, project.dataDir]);
    result.unparseableAfterKill += disk.unparseable.length;
    result.tornJsonlAfterKill += disk.tornJsonl.length;
    if (disk.unparseable.length > 0) note(result, `unparseable after kill: ${disk.unparseable.join(', ')}`);
    server = await keeper.restart();
    result.restarts += 1;
    const published = await publishedMark(project.intentsDir);
    if (published < traffic.lastPublished) {
      result.lost.publishes += 1;
      note(result, `publish r${traffic.lastPublished} was acknowledged, r${published} is on disk after the restart`);
      traffic.lastPublished = published;
    }
    traffic.up = true;
  };

  for (let kill = 0; kill < options.chatKills; kill += 1) {
    await sleep(random.between(100, 1500));
    await killAndRestart();
    result.kills.chat += 1;
    if ((kill + 1) % 10 === 0) log(`crash: ${kill + 1}/${options.chatKills} kills during chat`);
  }

  traffic.publishing = true;
  if (options.publishKills > 0) await calibratePublish(traffic, log);
  for (let kill = 0; kill < options.publishKills; kill += 1) {
    if (await nextPublishStarts(traffic)) {
      result.kills.publishInFlight += 1;
      // Anywhere from the request to a little after the answer: some publishes are acknowledged
      // just before the kill, others are cut at any step of the write.
      await sleep(random.between(0, traffic.publishMs * 1.3));
    }
    await killAndRestart();
    result.kills.publish += 1;
    if ((kill + 1) % 10 === 0) log(`crash: ${kill + 1}/${options.publishKills} kills during publishes`);
  }

  traffic.stopped = true;
  await Promise.all([...clients, admin]);
  const exitCode = await server.stop();
  if (exitCode !== 0) note(result, `the final SIGTERM ended with ${exitCode}`);
  await countSurvivors(project, traffic, result);
  result.startMs = Math.round(percentile(keeper.startTimes, 50));
  result.publishMs = Math.round(traffic.publishMs);
  result.ms = Math.round(performance.now() - started);
  await project.remove();
  return result;
}

function emptyResult(seed: number): CrashResult {
  return {
    seed,
    kills: { chat: 0, publish: 0, publishInFlight: 0 },
    restarts: 0,
    startMs: 0,
    startFailures: 0,
    repairs: [],
    validationsRun: 0,
    validationFailures: 0,
    unparseableAfterKill: 0,
    tornJsonlAfterKill: 0,
    corruptFiles: [],
    leftoverTempFiles: [],
    acknowledged: { exchanges: 0, ratings: 0, publishes: 0 },
    lost: { exchanges: 0, ratings: 0, publishes: 0 },
    requests: { chat: 0, feedback: 0, publishes: 0 },
    publishMs: 0,
    examples: [],
    ms: 0,
  };
}

function note(result: CrashResult, example: string) {
  if (result.examples.length < MAX_EXAMPLES) result.examples.push(example.slice(0, 600));
}

/**
 * (Re)starts the server on one port, so the clients' URL never changes, and validates the
 * knowledge as `npm run check` does. A start that fails is counted, then got past (knowledge
 * put back from git, then the runtime moved aside) so the run can go on measuring.
 */
async function createKeeper(project: Project, result: CrashResult, log: (line: string) => void) {
  const port = await freePort();
  const env = { ...project.env, SESSION_SECRET: 'reliability-crash-session-secret' };
  const startTimes: number[] = [];
  let validatedHash = '';

  // Validation is deterministic in the files: it is re-run only when they changed (after a publish).
  const validateIfChanged = async () => {
    const hash = await hashTree([project.intentsDir, project.dataDir]);
    if (hash === validatedHash) return;
    result.validationsRun += 1;
    const validation = await validateKnowledge(project);
    if (validation.ok) validatedHash = hash;
    else {
      result.validationFailures += 1;
      note(result, `validate: ${validation.output.slice(-300)}`);
    }
  };

  const start = async (): Promise<RunningServer> => {
    const spawned = performance.now();
    try {
      const running = await startServer({ env, port });
      startTimes.push(performance.now() - spawned);
      return running;
    } catch (error) {
      result.startFailures += 1;
      note(result, `start: ${String(error)} ${error instanceof StartError ? error.output.slice(-400) : ''}`);
      log(`crash: the server failed to start (${String(error)})`);
    }
    await restoreKnowledge(project);
    result.repairs.push('knowledge restored from git');
    try {
      return await startServer({ env, port });
    } catch {
      await rename(project.runtimeDir, `${project.runtimeDir}-unstartable-${result.repairs.length}`);
      result.repairs.push('runtime moved aside');
      return startServer({ env, port });
    }
  };

  return {
    startTimes,
    /** The CLI's validation and the start read the same files; both at once halves the wait. */
    async restart(): Promise<RunningServer> {
      const [, server] = await Promise.all([validateIfChanged(), start()]);
      return server;
    },
  };
}

/** Lets one publish run to the end, so kills can then be aimed inside the next ones. */
async function calibratePublish(traffic: Traffic, log: (line: string) => void) {
  const since = performance.now();
  while (traffic.publishesAcknowledged === 0 && performance.now() - since < 120_000) await sleep(50);
  log(`crash: one publish takes about ${Math.round(traffic.publishMs)} ms`);
}

/** Resolves true when the admin sends the next publish, false if none comes within 30 s. */
function nextPublishStarts(traffic: Traffic): Promise<boolean> {
  return new Promise<boolean>((done) => {
    const timer = setTimeout(() => done(false), 30_000);
    traffic.publishWaiters.push(() => {
      clearTimeout(timer);
      done(true);
    });
  });
}

/** What survived, read back through the store's own port once the server is gone. */
async function countSurvivors(project: Project, traffic: Traffic, result: CrashResult) {
  const store = await createRuntimeStore({ dir: project.runtimeDir, logger: createLogger('silent') });
  const stored = new Set((await store.exchanges()).map((exchange) => exchange.id));
  const rated = new Set((await store.feedback()).filter((item) => item.value === 'up').map((item) => item.exchangeId));
  result.acknowledged = { exchanges: traffic.exchanges.size, ratings: traffic.ratings.size, publishes: traffic.publishesAcknowledged };
  result.lost.exchanges = [...traffic.exchanges].filter((id) => !stored.has(id)).length;
  result.lost.ratings = [...traffic.ratings].filter((id) => !rated.has(id)).length;
  const disk = await checkFiles([project.runtimeDir]);
  result.corruptFiles = disk.corrupt;
  result.leftoverTempFiles = disk.temps;
}

/** Puts intents/ and data/ back as they are in git (the runtime data stays). */
async function restoreKnowledge(project: Project): Promise<void> {
  await rm(project.intentsDir, { recursive: true, force: true });
  await rm(project.dataDir, { recursive: true, force: true });
  const runtimeOfRepo = join(REPO, 'data', 'runtime');
  await cp(join(REPO, 'intents'), project.intentsDir, { recursive: true });
  await cp(join(REPO, 'data'), project.dataDir, { recursive: true, filter: (source) => !source.startsWith(runtimeOfRepo) });
}
