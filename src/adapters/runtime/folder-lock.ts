import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { writeFileAtomicSync } from '../atomic-file.ts';

/**
 * One process per runtime folder. The embedded store keeps per-chat files and append-only logs
 * that assume a single writer; a second process on the same folder would silently overwrite
 * sessions and race the logs. So opening the store takes `<dir>/.lock` (created exclusively,
 * holding the owner's pid, host and start time), and a second process is refused with a message
 * naming the holder. A lock left by a process that no longer runs (killed with -9, a crash)
 * is taken over, so a restart after a crash never needs a human: on this machine the pid is
 * checked; from another host name (a re-created container, a shared folder) the holder's
 * heartbeat is, which it rewrites every HEARTBEAT_MS while it runs.
 */

const HEARTBEAT_MS = 10_000;
/** A lock from another host whose heartbeat is older than this is left over from a crash. */
const STALE_AFTER_MS = 3 * HEARTBEAT_MS;

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
  /** Start time of the pid in clock ticks since boot (Linux), so a reused pid is not mistaken. */
  startTicks?: number;
  /** Last heartbeat (ISO time). */
  beat?: string;
}

export class FolderLockedError extends Error {
  constructor(
    public readonly dir: string,
    public readonly holder: LockHolder,
  ) {
    super(
      `运行数据目录 ${dir} 正被另一个进程使用（pid ${holder.pid}，主机 ${holder.host}，自 ${holder.since} 起）。` +
        '同一目录只能由一个进程写入：请先停止那个进程，或为这个进程设置另一个 RUNTIME_DIR。' +
        '需要多进程部署时请使用 PostgreSQL 存储。',
    );
    this.name = 'FolderLockedError';
  }
}

export interface FolderLock {
  file: string;
  release(): void;
}

export function lockFolder(dir: string): FolderLock {
  const file = path.join(dir, '.lock');
  const since = new Date().toISOString();
  const me: LockHolder = { pid: process.pid, host: hostname(), since, beat: since, startTicks: startTicksOf(process.pid) };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      writeFileSync(file, JSON.stringify(me), { flag: 'wx' });
      return handle(file, me);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(file);
    if (holder && holder.pid === process.pid && holder.host === me.host) {
      // This process already holds it (a store reopened in the same process, as tests do).
      return handle(file, holder);
    }
    if (holder && isAlive(holder, me.host)) throw new FolderLockedError(dir, holder);
    // Stale (its process is gone) or unreadable (killed while writing the lock): take it over.
    rmSync(file, { force: true });
  }
  const holder = readHolder(file);
  throw new FolderLockedError(dir, holder ?? { pid: -1, host: 'unknown', since: 'unknown' });
}

function handle(file: string, owner: LockHolder): FolderLock {
  let released = false;
  const heartbeat = setInterval(() => {
    const holder = readHolder(file);
    if (!holder || holder.pid !== owner.pid || holder.host !== owner.host) return; // not ours any more
    try {
      writeFileAtomicSync(file, JSON.stringify({ ...holder, beat: new Date().toISOString() }));
    } catch {
      // A missed beat is harmless: the lock is only taken over after several.
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    const holder = readHolder(file);
    if (holder && holder.pid === owner.pid && holder.host === owner.host) rmSync(file, { force: true });
    process.off('exit', release);
  };
  process.on('exit', release);
  return { file, release };
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return undefined;
    return {
      pid: value.pid,
      host: value.host,
      since: String(value.since ?? ''),
      ...(typeof value.startTicks === 'number' ? { startTicks: value.startTicks } : {}),
      ...(typeof value.beat === 'string' ? { beat: value.beat } : {}),
    };
  } catch {
    return undefined;
  }
}

function isAlive(holder: LockHolder, host: string): boolean {
  // Another host's pid cannot be checked: its heartbeat says whether it still runs.
  if (holder.host !== host) {
    const beat = Date.parse(holder.beat ?? holder.since);
    return Number.isNaN(beat) || Date.now() - beat < STALE_AFTER_MS;
  }
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false; // ESRCH: no such process
  }
  const ticks = startTicksOf(holder.pid);
  return holder.startTicks === undefined || ticks === undefined || ticks === holder.startTicks;
}

/** Field 22 of /proc/<pid>/stat; undefined where /proc does not exist. */
function startTicksOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const value = Number(fields[19]);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
