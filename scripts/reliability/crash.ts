import { cp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createRuntimeStore } from '../../src/adapters/runtime-store.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { checkFiles, hashTree } from './files.ts';
import { Client, sleep, type ChatResponse } from './http.ts';
import { createProject, freePort, REPO, startServer, StartError, validateKnowledge, type Project, type RunningServer } from './server.ts';
import { createRandom, percentile, questions, type Random } from './stats.ts';

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
  /** Median time from spawn to "listening", under the clients' retries. */
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
  leftoverTempFiles: number;
  acknowledged: { exchanges: number; ratings: number; publishes: number };
  lost: { exchanges: number; ratings: number; publishes: number };
  requests: { chat: number; feedback: number; publishes: number };
  publishMs?: number;
  examples: string[];
  ms: number;
}

interface Traffic {
  up: boolean;
  stopped: boolean;
  publishing: boolean;
  exchanges: Set<string>;
  ratings: Set<string>;
  lastPublished: number;
  publishesAcknowledged: number;
  publishMs: number;
  publishWaiters: (() => void)[];
  requests: CrashResult['requests'];
}

const TARGET_INTENT_INDEX = 0;
const MARK = / \[r(\d+)\]$/;

export async function crashSafety(options: CrashOptions): Promise<CrashResult> {
  const log = options.log ?? (() => undefined);
  const random = createRandom(options.seed);
  const project = await createProject('reliability-crash-');
  const port = await freePort();
  const env = { ...project.env, SESSION_SECRET: 'reliability-crash-session-secret' };
  const knowledgeRoots = [project.intentsDir, project.dataDir];
  const result: CrashResult = {
    seed: options.seed,
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
    leftoverTempFiles: 0,
    acknowledged: { exchanges: 0, ratings: 0, publishes: 0 },
    lost: { exchanges: 0, ratings: 0, publishes: 0 },
    requests: { chat: 0, feedback: 0, publishes: 0 },
    examples: [],
    ms: 0,
  };
  const started = performance.now();
  const traffic: Traffic = {
    up: false,
    stopped: false,
    publishing: false,
    exchanges: new Set(),
    ratings: new Set(),
    lastPublished: 0,
    publishesAcknowledged: 0,
    publishMs: 0,
    publishWaiters: [],
    requests: result.requests,
  };

  let validatedHash = '';
  const validateIfChanged = async () => {
    const hash = await hashTree(knowledgeRoots);
    if (hash === validatedHash) return;
    result.validationsRun += 1;
    const validation = await validateKnowledge(project);
    if (validation.ok) validatedHash = hash;
    else {
      result.validationFailures += 1;
      if (result.examples.length < 10) result.examples.push(`validate: ${validation.output.slice(-300)}`);
    }
  };

  /** Starts the server; a failure is counted, then got past so the run can go on measuring. */
  const startTimes: number[] = [];
  const start = async (): Promise<RunningServer> => {
    const spawned = performance.now();
    try {
      const running = await startServer({ env, port, timeoutMs: 60_000 });
      startTimes.push(performance.now() - spawned);
      return running;
    } catch (error) {
      result.startFailures += 1;
      const output = error instanceof StartError ? error.output : '';
      if (result.examples.length < 10) result.examples.push(`start: ${String(error)} ${output.slice(-400)}`);
      log(`crash: server failed to start (${String(error)})`);
    }
    await restoreKnowledge(project);
    result.repairs.push('knowledge restored from git');
    try {
      return await startServer({ env, port, timeoutMs: 60_000 });
    } catch {
      await rename(project.runtimeDir, `${project.runtimeDir}-unstartable-${result.repairs.length}`);
      result.repairs.push('runtime moved aside');
      return startServer({ env, port, timeoutMs: 60_000 });
    }
  };

  let [, server] = await Promise.all([validateIfChanged(), start()]);
  const clients = Array.from({ length: options.clients }, (_, index) => chatLoop(new Client(server.url), traffic, createRandom(options.seed + index + 1)));
  const admin = publishLoop(new Client(server.url), traffic);
  traffic.up = true;

  const afterKill = async () => {
    traffic.up = false;
    const disk = await checkFiles([project.runtimeDir, ...knowledgeRoots]);
    result.unparseableAfterKill += disk.unparseable.length;
    result.tornJsonlAfterKill += disk.tornJsonl.length;
    if (disk.unparseable.length > 0 && result.examples.length < 10) result.examples.push(`unparseable after kill: ${disk.unparseable.join(', ')}`);
    // The CLI's validation and the start read the same files; running both at once halves the wait.
    [, server] = await Promise.all([validateIfChanged(), start()]);
    result.restarts += 1;
    const published = await publishedMark(project);
    if (published < traffic.lastPublished) {
      result.lost.publishes += 1;
      if (result.examples.length < 10) result.examples.push(`publish r${traffic.lastPublished} acknowledged, r${published} on disk after restart`);
      traffic.lastPublished = published;
    }
    traffic.up = true;
  };

  for (let kill = 0; kill < options.chatKills; kill += 1) {
    await sleep(random.between(100, 1500));
    await server.kill9();
    result.kills.chat += 1;
    await afterKill();
    if ((kill + 1) % 10 === 0) log(`crash: ${kill + 1}/${options.chatKills} kills during chat`);
  }
  traffic.publishing = true;
  // One publish runs to the end first, so the kills below can land inside the next ones.
  const calibrated = performance.now();
  while (options.publishKills > 0 && traffic.publishesAcknowledged === 0 && performance.now() - calibrated < 120_000) await sleep(50);
  if (options.publishKills > 0) log(`crash: one publish takes about ${Math.round(traffic.publishMs)} ms`);
  for (let kill = 0; kill < options.publishKills; kill += 1) {
    const inFlight = await new Promise<boolean>((done) => {
      const timer = setTimeout(() => done(false), 30_000);
      traffic.publishWaiters.push(() => {
        clearTimeout(timer);
        done(true);
      });
    });
    if (inFlight) {
      result.kills.publishInFlight += 1;
      // Anywhere from the request to a little after the answer: some publishes are acknowledged
      // just before the kill, others are cut at any step of the write.
      await sleep(random.between(0, traffic.publishMs * 1.3));
    }
    await server.kill9();
    result.kills.publish += 1;
    await afterKill();
    if ((kill + 1) % 10 === 0) log(`crash: ${kill + 1}/${options.publishKills} kills during publishes`);
  }

  traffic.stopped = true;
  await Promise.all([...clients, admin]);
  const exitCode = await server.stop();
  if (exitCode !== 0 && result.examples.length < 10) result.examples.push(`final SIGTERM exit: ${exitCode}`);

  // What survived, read back through the store's own port after the server is gone.
  const store = await createRuntimeStore({ dir: project.runtimeDir, logger: createLogger('silent') });
  const stored = new Set((await store.exchanges()).map((exchange) => exchange.id));
  const rated = new Set((await store.feedback()).filter((item) => item.value === 'up').map((item) => item.exchangeId));
  result.acknowledged = { exchanges: traffic.exchanges.size, ratings: traffic.ratings.size, publishes: traffic.publishesAcknowledged };
  result.lost.exchanges = [...traffic.exchanges].filter((id) => !stored.has(id)).length;
  result.lost.ratings = [...traffic.ratings].filter((id) => !rated.has(id)).length;
  const finalDisk = await checkFiles([project.runtimeDir]);
  result.corruptFiles = finalDisk.corrupt;
  result.leftoverTempFiles = finalDisk.temps.length;
  result.publishMs = Math.round(traffic.publishMs);
  result.startMs = Math.round(percentile(startTimes, 50));
  result.ms = Math.round(performance.now() - started);
  await project.remove();
  return result;
}

async function chatLoop(client: Client, traffic: Traffic, random: Random): Promise<void> {
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

/** Edits one intent's description (nothing the model learns from, so no retraining) and publishes. */
async function publishLoop(client: Client, traffic: Traffic): Promise<void> {
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
    const draft = await client.request<{ intents?: { item: Record<string, unknown> & { name: string; description: string }; revision: string }[] }>('GET', '/api/admin/draft');
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

/** The `[rN]` mark of the target intent's description in the knowledge files on disk (0: none). */
async function publishedMark(project: Project): Promise<number> {
  let best = 0;
  for (const name of await readdir(project.intentsDir)) {
    if (!name.endsWith('.yaml')) continue;
    try {
      const file = parseYaml(await readFile(join(project.intentsDir, name), 'utf8')) as { intents?: { description?: string }[] };
      for (const intent of file.intents ?? []) best = Math.max(best, Number(MARK.exec(intent.description ?? '')?.[1] ?? 0));
    } catch {
      // an unparseable file is counted by checkFiles; here it simply holds no mark
    }
  }
  return best;
}

/** Puts intents/ and data/ back as they are in git (the runtime data stays). */
async function restoreKnowledge(project: Project): Promise<void> {
  await rm(project.intentsDir, { recursive: true, force: true });
  await rm(project.dataDir, { recursive: true, force: true });
  const runtimeOfRepo = join(REPO, 'data', 'runtime');
  await cp(join(REPO, 'intents'), project.intentsDir, { recursive: true });
  await cp(join(REPO, 'data'), project.dataDir, { recursive: true, filter: (source) => !source.startsWith(runtimeOfRepo) });
}
