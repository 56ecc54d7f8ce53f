import { createHash } from 'node:crypto';
import { readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { IncompleteWriteError } from '../admin/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { removeLeftoverTemps, syncDir, writeFileAtomic, writeTempFile } from './atomic-file.ts';

/**
 * A change to several files that lands whole or not at all, even if the process is killed or the
 * power fails part-way: a write-ahead journal. A publish changes several intent and fact files
 * that refer to each other; renamed one at a time, a kill between two renames left intents that
 * named a fact not written yet, and the bot refused to start. The files must stay where admins
 * edit them (intents/, data/facts/, tracked by git), so they cannot be swapped as one folder.
 *
 * commitFiles:
 *   1. every new file is written to a temp file beside its target and fsynced (and its folder);
 *   2. the journal (`data/.publish-journal.json`) is written atomically and durably; it lists
 *      every rename and delete, and the sha256 of each new file. This is the commit point;
 *   3. the renames and deletes are performed in order, their folders fsynced;
 *   4. the journal is removed.
 *
 * recoverFiles (before the knowledge is loaded: start-up, every reload, `npm run check`, the console):
 *   - a journal exists → roll forward: redo each rename whose temp still exists (its hash must
 *     match the journal), accept a target that already has the journal's hash, redo deletes,
 *     then remove the journal. A crash before the commit point leaves the old files; after it,
 *     the new ones;
 *   - no journal → the process died before the commit point: its temp files are deleted;
 *   - temp files and journals of another process that is still running are left alone, so
 *     `npm run check` beside a server that is publishing does not pull its files away;
 *   - a journal that cannot be read, or whose files are missing or differ, is an error that
 *     names the file; nothing is guessed, and the journal stays for a person to look at.
 *
 * Paths in the journal are relative to its folder, so a copied or moved checkout recovers too.
 */

export interface FileOp {
  /** Absolute path of the target. */
  path: string;
  /** The new content; null deletes the file. */
  content: string | null;
}

const JournalSchema = z.object({
  version: z.literal(1),
  pid: z.number().int(),
  createdAt: z.string(),
  ops: z.array(
    z.discriminatedUnion('action', [
      z.object({ action: z.literal('write'), target: z.string(), temp: z.string(), sha256: z.string() }),
      z.object({ action: z.literal('delete'), target: z.string() }),
    ]),
  ),
});
type Journal = z.infer<typeof JournalSchema>;

/** Called after each step of a commit; the crash test kills the process here. */
export type StepHook = (step: string) => void;

/** A journal that cannot be completed: the files it names are missing or not what it recorded. */
export class JournalError extends Error {
  constructor(
    public readonly journalFile: string,
    message: string,
  ) {
    super(message);
    this.name = 'JournalError';
  }
}

export async function commitFiles(journalFile: string, ops: readonly FileOp[], onStep: StepHook = () => undefined): Promise<void> {
  // Never two journals: one left by a crash is finished first, so its changes are not lost.
  const earlier = await recoverFiles(journalFile, []);
  if (earlier.journal === 'busy') throw new Error(`另一个进程（${earlier.pid}）正在发布，请稍后再试`);
  const base = dirname(journalFile);
  const journal: Journal = { version: 1, pid: process.pid, createdAt: new Date().toISOString(), ops: [] };
  const temps: string[] = [];
  try {
    for (const op of ops) {
      if (op.content === null) {
        journal.ops.push({ action: 'delete', target: relative(base, op.path) });
        continue;
      }
      const temp = await writeTempFile(op.path, op.content, { durable: true });
      temps.push(temp);
      journal.ops.push({ action: 'write', target: relative(base, op.path), temp: relative(base, temp), sha256: sha256(op.content) });
      onStep(`temp written: ${relative(base, op.path)}`);
    }
    for (const dir of new Set(temps.map((temp) => dirname(temp)))) await syncDir(dir);
    await writeFileAtomic(journalFile, `${JSON.stringify(journal, null, 2)}\n`, { durable: true });
  } catch (error) {
    // Before the commit point: take the temps back and leave the old files as they were.
    await Promise.all(temps.map((temp) => rm(temp, { force: true })));
    throw error;
  }
  onStep('journal written');
  try {
    await rollForward(journalFile, journal, onStep);
  } catch (error) {
    throw new IncompleteWriteError({ cause: error });
  }
}

export interface RecoveryReport {
  /** none: no journal; completed: an interrupted change was rolled forward; busy: another running process owns it. */
  journal: 'none' | 'completed' | 'busy';
  /** The process that wrote the journal. */
  pid?: number;
  renamed: string[];
  deleted: string[];
  removedTemps: string[];
}

/** Finishes or clears an interrupted commit (see the comment at the top), then sweeps `sweepDirs` of temp files. */
export async function recoverFiles(journalFile: string, sweepDirs: readonly string[]): Promise<RecoveryReport> {
  const report: RecoveryReport = { journal: 'none', renamed: [], deleted: [], removedTemps: [] };
  const journal = await readJournal(journalFile);
  if (journal) {
    report.pid = journal.pid;
    if (runningElsewhere(journal.pid)) {
      report.journal = 'busy';
    } else {
      await rollForward(journalFile, journal, () => undefined, report);
      report.journal = 'completed';
    }
  }
  for (const dir of sweepDirs) report.removedTemps.push(...(await removeLeftoverTemps(dir, runningElsewhere)));
  // A kill while the journal itself was being written leaves its temp. Only that one: the data
  // folder may also hold files other writers are replacing right now (RUNTIME_DIR inside it).
  report.removedTemps.push(...(await removeLeftoverTemps(dirname(journalFile), runningElsewhere, basename(journalFile))));
  return report;
}

async function readJournal(journalFile: string): Promise<Journal | undefined> {
  let text: string;
  try {
    text = await readFile(journalFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new JournalError(journalFile, `发布日志无法读取：${(error as Error).message}`);
  }
  try {
    return JournalSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new JournalError(journalFile, `发布日志已损坏，无法自动完成上次发布：${(error as Error).message}`);
  }
}

async function rollForward(journalFile: string, journal: Journal, onStep: StepHook, report?: RecoveryReport): Promise<void> {
  const base = dirname(journalFile);
  const touched = new Set<string>();
  for (const op of journal.ops) {
    const target = resolve(base, op.target);
    touched.add(dirname(target));
    if (op.action === 'delete') {
      await rm(target, { force: true });
      report?.deleted.push(target);
      onStep(`deleted: ${op.target}`);
      continue;
    }
    const temp = resolve(base, op.temp);
    const pending = await hashOf(temp);
    if (pending !== undefined) {
      if (pending !== op.sha256) throw new JournalError(journalFile, `${op.temp} 的内容与发布日志记录的不一致`);
      await rename(temp, target);
      report?.renamed.push(target);
    } else if ((await hashOf(target)) !== op.sha256) {
      throw new JournalError(journalFile, `${op.target} 的新内容已丢失（临时文件不存在，目标文件也不是日志记录的内容）`);
    }
    onStep(`renamed: ${op.target}`);
  }
  for (const dir of touched) await syncDir(dir);
  await rm(journalFile, { force: true });
  await syncDir(base);
  onStep('journal removed');
}

async function hashOf(file: string): Promise<string | undefined> {
  try {
    return sha256(await readFile(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Another live process owns this temp file or journal. Our own pid counts as not running: we
 * recover only when nothing of ours is in flight (start-up, or a reload inside the knowledge
 * queue), and a restarted container often gets the pid its crashed predecessor had.
 */
function runningElsewhere(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by another user
  }
}

// === the knowledge files ======================================================================

/** Where a publish keeps its journal: beside the facts, in the data folder. */
export function publishJournalFile(dataDir: string): string {
  return join(dataDir, '.publish-journal.json');
}

/**
 * Recovery for the knowledge folders (intents/, data/facts/, and `extraDirs` such as the
 * history), logged. Throws JournalError when an interrupted publish cannot be completed.
 */
export async function recoverKnowledgeFiles(
  paths: { intentsDir: string; dataDir: string },
  logger?: Logger,
  extraDirs: readonly string[] = [],
): Promise<RecoveryReport> {
  const journalFile = publishJournalFile(paths.dataDir);
  const report = await recoverFiles(journalFile, [paths.intentsDir, join(paths.dataDir, 'facts'), ...extraDirs]);
  if (report.journal === 'completed') {
    logger?.warn('an interrupted publish was completed from its journal', { journalFile, renamed: report.renamed, deleted: report.deleted });
  } else if (report.journal === 'busy') {
    logger?.warn('another running process is publishing; its files were left alone', { journalFile, pid: report.pid });
  }
  if (report.removedTemps.length > 0) {
    logger?.warn('temp files of an interrupted write were removed', { files: report.removedTemps });
  }
  return report;
}
