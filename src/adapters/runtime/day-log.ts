import { appendFile, mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../lib/logger.ts';
import { createKeyedQueue } from '../../lib/keyed-queue.ts';
import { writeFileAtomic } from '../atomic-file.ts';

/**
 * An append-only log of JSON lines, one file per UTC day (`2024-05-01.jsonl`), for the records
 * that grow with traffic (exchanges, feedback).
 *
 * - Storing one more record is one `appendFile` of one line whatever the history holds; calls
 *   that arrive while an append runs are grouped into the next one (group commit). The promise
 *   resolves only after the line is written, so what was acknowledged survives a killed process.
 * - Each record learns its position (day and byte offset) when it is written, so a caller can put
 *   the position in the record's id and read it back later with one positional read: no index
 *   file to keep in step, and no day file read in full to find one record.
 * - Positions never move: removing records (a citizen's "forget me") blanks their bytes in place
 *   with spaces, and a line cut short by a crash is blanked the same way at start-up (its bytes
 *   copied aside first). Retention deletes whole day files.
 * - Every file operation runs on one chain, so a removal never races an append.
 */

export interface Position {
  day: string;
  offset: number;
}

export interface DayLog<T> {
  append(day: string, build: (position: Position) => T): Promise<T>;
  /** The record whose line starts at `position`, if it is readable and `accept`s it. */
  readAt(position: Position, accept: (record: T) => boolean): Promise<T | undefined>;
  /** Records of the days from `fromDay` to `toDay`, both inclusive, in file order. */
  read(options?: { fromDay?: string; toDay?: string }): Promise<T[]>;
  readDay(day: string): Promise<T[]>;
  /** Blanks every record matching `predicate`; returns them. */
  removeWhere(predicate: (record: T) => boolean): Promise<T[]>;
  /** Deletes the day files before `day`; returns how many records they held. */
  dropDaysBefore(day: string): Promise<number>;
  drain(): Promise<void>;
}

export interface DayLogOptions<T> {
  dir: string;
  logger: Logger;
  now: () => Date;
  /** Whether a parsed line is a record of this log (else it counts as unreadable). */
  isRecord: (value: unknown) => value is T;
}

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;
const FIRST_READ = 4096;

export async function openDayLog<T>(options: DayLogOptions<T>): Promise<DayLog<T>> {
  const { dir, logger, now, isRecord } = options;
  await mkdir(dir, { recursive: true });
  const fileOf = (day: string) => path.join(dir, `${day}.jsonl`);
  const days = async () =>
    (await readdir(dir)).map((name) => DAY_FILE.exec(name)?.[1]).filter((day): day is string => !!day).sort();

  const parse = (bytes: Buffer) => parseLines(bytes, isRecord);

  // A crash mid-append can only cut short the files still being appended to (today's, and
  // yesterday's around midnight), so those are read in full at start-up; older files only need
  // their last byte checked, which keeps opening cheap however much history there is.
  const yesterday = new Date(now().getTime() - 86_400_000).toISOString().slice(0, 10);
  for (const day of await days()) {
    if (day >= yesterday || !(await endsWithNewline(fileOf(day)))) await repairDayFile(fileOf(day), parse, logger, now);
  }

  // Byte size of each day file as this process has written it: the next record's offset.
  const sizes = new Map<string, number>();
  const sizeOf = async (day: string) => {
    let size = sizes.get(day);
    if (size === undefined) {
      size = await fileSize(fileOf(day));
      sizes.set(day, size);
    }
    return size;
  };

  let pending: { day: string; build: (position: Position) => T; done: (record: T) => void; failed: (error: unknown) => void }[] = [];
  const files = createKeyedQueue();
  const enqueue = <R>(task: () => Promise<R>): Promise<R> => files.run('log', task);

  const writePending = async () => {
    const batch = pending;
    pending = [];
    const byDay = new Map<string, typeof batch>();
    for (const item of batch) byDay.set(item.day, [...(byDay.get(item.day) ?? []), item]);
    for (const [day, items] of byDay) {
      let offset = await sizeOf(day);
      const records: T[] = [];
      const lines: string[] = [];
      for (const item of items) {
        const record = item.build({ day, offset });
        const line = `${JSON.stringify(record)}\n`;
        records.push(record);
        lines.push(line);
        offset += Buffer.byteLength(line);
      }
      try {
        await appendFile(fileOf(day), lines.join(''), 'utf8');
        sizes.set(day, offset);
        items.forEach((item, index) => item.done(records[index]!));
      } catch (error) {
        // A partial write may have left part of a line: end it so the next append starts clean,
        // and learn the real size again.
        sizes.delete(day);
        try {
          if (!(await endsWithNewline(fileOf(day)))) await appendFile(fileOf(day), '\n', 'utf8');
        } catch {
          // The disk still refuses; the next append will fail and report it too.
        }
        for (const item of items) item.failed(error);
      }
    }
  };

  const drain = () => enqueue(writePending);

  const readDay = async (day: string): Promise<T[]> => {
    let bytes: Buffer;
    try {
      bytes = await readFile(fileOf(day));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const { good, badLines } = parse(bytes);
    if (badLines.length > 0) logger.warn('log file has unreadable lines (skipped)', { file: fileOf(day), badLines: badLines.slice(0, 20) });
    return good.map((entry) => entry.record);
  };

  return {
    append(day, build) {
      return new Promise<T>((resolve, reject) => {
        pending.push({ day, build, done: resolve, failed: reject });
        if (pending.length === 1) void enqueue(writePending);
      });
    },
    async readAt(position, accept) {
      await drain();
      let handle;
      try {
        handle = await open(fileOf(position.day), 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      try {
        let length = FIRST_READ;
        for (;;) {
          const buffer = Buffer.alloc(length);
          const { bytesRead } = await handle.read(buffer, 0, length, position.offset);
          const end = buffer.subarray(0, bytesRead).indexOf(0x0a);
          if (end < 0 && bytesRead === length) {
            length *= 4; // a long line: read more
            continue;
          }
          const line = buffer.subarray(0, end < 0 ? bytesRead : end).toString('utf8');
          try {
            const value: unknown = JSON.parse(line);
            return isRecord(value) && accept(value) ? value : undefined;
          } catch {
            return undefined;
          }
        }
      } finally {
        await handle.close();
      }
    },
    async read(query) {
      await drain();
      const result: T[] = [];
      for (const day of await days()) {
        if (query?.fromDay && day < query.fromDay) continue;
        if (query?.toDay && day > query.toDay) break; // days() is sorted
        result.push(...(await readDay(day)));
      }
      return result;
    },
    async readDay(day) {
      await drain();
      return readDay(day);
    },
    removeWhere(predicate) {
      return enqueue(async () => {
        await writePending();
        const removed: T[] = [];
        for (const day of await days()) {
          const spans = parse(await readFile(fileOf(day))).good.filter((entry) => predicate(entry.record));
          if (spans.length === 0) continue;
          await blank(fileOf(day), spans);
          removed.push(...spans.map((entry) => entry.record));
        }
        return removed;
      });
    },
    dropDaysBefore(cutoffDay) {
      return enqueue(async () => {
        await writePending();
        let removed = 0;
        for (const day of await days()) {
          if (day >= cutoffDay) continue;
          removed += (await readDay(day)).length;
          await rm(fileOf(day), { force: true });
          sizes.delete(day);
        }
        return removed;
      });
    },
    drain,
  };
}

interface Parsed<T> {
  record: T;
  /** Byte offset and length of the line (without its newline). */
  start: number;
  length: number;
}

function parseLines<T>(bytes: Buffer, isRecord: (value: unknown) => value is T): { good: Parsed<T>[]; badLines: number[]; badSpans: { start: number; length: number }[] } {
  const good: Parsed<T>[] = [];
  const badLines: number[] = [];
  const badSpans: { start: number; length: number }[] = [];
  // Split on raw newline bytes: offsets must be byte positions in the file even when a line was
  // cut in the middle of a multi-byte character.
  let start = 0;
  let lineNumber = 0;
  while (start < bytes.length) {
    lineNumber += 1;
    const newline = bytes.indexOf(0x0a, start);
    const end = newline < 0 ? bytes.length : newline;
    const line = bytes.subarray(start, end).toString('utf8');
    if (line.trim() !== '') {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        value = undefined;
      }
      // A line without its newline was cut short by a crash even if it happens to parse.
      if (newline >= 0 && isRecord(value)) good.push({ record: value, start, length: end - start });
      else {
        badLines.push(lineNumber);
        badSpans.push({ start, length: end - start });
      }
    }
    start = end + 1;
  }
  return { good, badLines, badSpans };
}

/** Overwrites each span with spaces, so the line is skipped and every other offset stays put. */
async function blank(file: string, spans: readonly { start: number; length: number }[]): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    for (const span of spans) await handle.write(Buffer.alloc(span.length, 0x20), 0, span.length, span.start);
  } finally {
    await handle.close();
  }
}

/** At start-up: a day file with unreadable lines is copied aside and those lines are blanked. */
async function repairDayFile<T>(
  file: string,
  parse: (bytes: Buffer) => ReturnType<typeof parseLines<T>>,
  logger: Logger,
  now: () => Date,
): Promise<void> {
  const original = await readFile(file);
  const { good, badLines, badSpans } = parse(original);
  if (badLines.length === 0 && (original.length === 0 || original[original.length - 1] === 0x0a)) return;
  const aside = `${file}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
  // Keep the damaged original for inspection, then write the repaired copy over it in one step.
  await writeFileAtomic(aside, original);
  const bytes = Buffer.from(original);
  for (const span of badSpans) bytes.fill(0x20, span.start, span.start + span.length);
  const repaired = bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a ? Buffer.concat([bytes, Buffer.from('\n')]) : bytes;
  await writeFileAtomic(file, repaired);
  logger.error('log file had unreadable lines: copied aside, those lines blanked, readable lines kept', {
    file,
    movedTo: aside,
    badLines: badLines.slice(0, 20),
    kept: good.length,
  });
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

async function endsWithNewline(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    await handle.close();
  }
}

