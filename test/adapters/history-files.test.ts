import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHistoryFiles } from '../../src/adapters/history-files.ts';
import { NotFoundError, StateError } from '../../src/admin/errors.ts';
import type { HistoryRecord } from '../../src/admin/publish-ports.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'history-'));
  await mkdir(dir, { recursive: true });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const record = (id: string, by: string): HistoryRecord => ({
  entry: { id, at: '2025-01-01T00:00:00.000Z', by, action: 'publish', changes: [] },
  filesBefore: { 'intents/hotline.yaml': 'version: 1\n' },
});

describe('publish history files', () => {
  it('skips a bad history file, names it, and still lists the others newest first', async () => {
    const history = createHistoryFiles(dir);
    await history.update(record('20250101T000000Z-aaaaaa', 'alice'));
    await history.update(record('20250102T000000Z-bbbbbb', 'bob'));
    await writeFile(join(dir, '20250103T000000Z-cccccc.json'), '{"entry": {"id": "20250103T000000Z-cccccc"'); // cut short
    await writeFile(join(dir, '20250104T000000Z-dddddd.json'), JSON.stringify({ entry: { id: 'x' } })); // not a record

    const listing = await history.list();
    expect(listing.entries.map((entry) => entry.by)).toEqual(['bob', 'alice']);
    expect(listing.unreadable.map((item) => item.file)).toEqual(['20250103T000000Z-cccccc.json', '20250104T000000Z-dddddd.json']);
    expect(listing.unreadable.every((item) => item.reason.length > 0)).toBe(true);
  });

  it('refuses to roll back to a bad entry with a reason, and to an unknown one as not found', async () => {
    const history = createHistoryFiles(dir);
    await writeFile(join(dir, '20250103T000000Z-cccccc.json'), 'not json');
    await expect(history.filesBefore('20250103T000000Z-cccccc')).rejects.toBeInstanceOf(StateError);
    await expect(history.filesBefore('20250109T000000Z-eeeeee')).rejects.toBeInstanceOf(NotFoundError);
    await expect(history.filesBefore('../etc/passwd')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists nothing, without an error, before the first publish', async () => {
    expect(await createHistoryFiles(join(dir, 'none-yet')).list()).toEqual({ entries: [], unreadable: [] });
  });
});
