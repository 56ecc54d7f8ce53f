import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The real server as a black box: `node --import tsx src/main.ts` in a child process, with its
 * data in a temp project. Everything the harness learns about it comes from HTTP, stdout/stderr,
 * /proc and the files it leaves on disk, so the harness keeps working while other workers change
 * the server's internals.
 */

export const REPO = resolve(import.meta.dirname, '../..');
export const ADMIN_USER = 'admin';
export const ADMIN_PASSWORD = 'Reliability-Harness-2026!';

/** Abuse limits high enough that a load or fuzz run measures the server, not its throttles. */
export const GENEROUS_LIMITS = {
  CHAT_RATE_PER_SESSION: '100000',
  CHAT_RATE_PER_ADDRESS: '10000000',
  NEW_CHATS_PER_ADDRESS_PER_HOUR: '10000000',
  FLOOD_MAX_MESSAGES: '100000',
};

export interface Project {
  root: string;
  intentsDir: string;
  dataDir: string;
  runtimeDir: string;
  /** Env for the server and the CLI: where the knowledge and runtime data live. */
  env: Record<string, string>;
  remove(): Promise<void>;
}

/** A temp copy of intents/ and data/ (without data/runtime), so publishes never touch the repo. */
export async function createProject(prefix = 'reliability-'): Promise<Project> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const intentsDir = join(root, 'intents');
  const dataDir = join(root, 'data');
  const runtimeDir = join(root, 'runtime');
  await cp(join(REPO, 'intents'), intentsDir, { recursive: true });
  const runtimeOfRepo = join(REPO, 'data', 'runtime');
  await cp(join(REPO, 'data'), dataDir, { recursive: true, filter: (source) => !source.startsWith(runtimeOfRepo) });
  await mkdir(runtimeDir, { recursive: true });
  return {
    root,
    intentsDir,
    dataDir,
    runtimeDir,
    env: { INTENTS_DIR: intentsDir, DATA_DIR: dataDir, RUNTIME_DIR: runtimeDir },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/**
 * Derived files (jieba dictionary, parsed knowledge, trained models) for every server the harness
 * starts: one folder that outlives a run, so only the first run trains, and publishes in the
 * crash test never fill the cache that other programs on this machine share.
 */
export function harnessCacheRoot(): string {
  return join(tmpdir(), 'leping-reliability-cache');
}

/**
 * The server and the CLI load `.env` from the checkout, and a developer's `.env` may hold a real
 * BOT_TOKEN: every variable of .env.example is therefore set, empty unless the harness gives it
 * (an empty variable counts as unset for the config, and `.env` never overrides one that exists).
 */
function isolatedEnv(given: Record<string, string>): Record<string, string> {
  const keys = [...readFileSync(join(REPO, '.env.example'), 'utf8').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]!);
  return {
    ...Object.fromEntries(keys.map((key) => [key, ''])),
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    TMPDIR: harnessCacheRoot(),
    ...given,
  };
}

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });
}

export interface RunningServer {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) when the process ends, for whatever reason. */
  exited: Promise<number | string>;
  /** The last lines the server wrote (stdout and stderr), for diagnosing a failure. */
  output(): string;
  /** Peak resident set (VmHWM) in KiB while the process is alive; undefined after it exits. */
  peakRssKiB(): Promise<number | undefined>;
  kill9(): Promise<void>;
  /** SIGTERM: the server finishes what is in flight and flushes its store. */
  stop(timeoutMs?: number): Promise<number | string>;
}

export class StartError extends Error {
  constructor(message: string, readonly output: string) {
    super(message);
    this.name = 'StartError';
  }
}

const READY_LINE = /已启动[^\n]*?(https?:\/\/\S+)/;

/** Starts the server on `port` (a free one by default) and waits until it says it is listening. */
export async function startServer(options: { env: Record<string, string>; port?: number; timeoutMs?: number }): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  await mkdir(harnessCacheRoot(), { recursive: true });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO,
    env: isolatedEnv({
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ADMIN_USER,
      ADMIN_PASSWORD,
      ...GENEROUS_LIMITS,
      // A staff group that answers round the clock: the load test's 转人工 must reach it
      // whatever the hour the harness runs at (the default hours are office hours).
      HANDOFF_HOURS: '每天 00:00-24:00',
      ...options.env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(chunk.toString('utf8'));
    if (tail.length > 200) tail.splice(0, tail.length - 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | string>((done) => child.once('exit', (code, signal) => done(code ?? signal ?? 'unknown')));

  const url = await new Promise<string>((ready, fail) => {
    let seen = '';
    const timer = setTimeout(() => fail(new StartError(`server did not start within ${options.timeoutMs ?? 60_000} ms`, tail.join(''))), options.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const match = READY_LINE.exec(seen);
      if (match?.[1]) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        ready(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new StartError(`server exited (${code}) before it was ready`, tail.join('')));
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw error;
  });

  const pid = child.pid!;
  let alive = true;
  void exited.then(() => (alive = false));
  return {
    url,
    pid,
    child,
    exited,
    output: () => tail.join(''),
    async peakRssKiB() {
      if (!alive) return undefined;
      try {
        const status = await readFile(`/proc/${pid}/status`, 'utf8');
        const match = /VmHWM:\s+(\d+)\s+kB/.exec(status);
        return match ? Number(match[1]) : undefined;
      } catch {
        return undefined; // gone between the check and the read
      }
    },
    async kill9() {
      if (alive) child.kill('SIGKILL');
      await exited;
    },
    async stop(timeoutMs = 20_000) {
      if (!alive) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** `npm run check` against the project's knowledge: the staff CLI's `validate`, exit code 0 = valid. */
export async function validateKnowledge(project: Pick<Project, 'env'>): Promise<{ ok: boolean; output: string }> {
  const child = spawn(process.execPath, ['scripts/cli.mjs', 'validate'], {
    cwd: REPO,
    env: isolatedEnv({ LOG_LEVEL: 'warn', ...project.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const code = await new Promise<number | null>((done) => child.once('exit', (exitCode) => done(exitCode)));
  return { ok: code === 0, output: output.slice(-4000) };
}
