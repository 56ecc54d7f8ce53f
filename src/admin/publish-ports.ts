import type { Fact, Intent } from '../knowledge/schema.ts';
import type { DraftChange } from './drafts.ts';

/**
 * What publish and rollback need from storage: the knowledge files admins edit, and the publish
 * history. Declared here, beside their consumer (publish.ts); the file adapters
 * (adapters/knowledge-writer.ts, adapters/history-files.ts) implement them.
 */

/** `intents/<file>.yaml` or `data/facts/<file>.json` → content. */
export type KnowledgeFiles = Record<string, string>;
/** Same keys; `null` deletes the file. */
export type FileChanges = Record<string, string | null>;

export interface HistoryEntry {
  id: string;
  at: string;
  by: string;
  action: 'publish' | 'rollback';
  changes: DraftChange[];
  /** Held-out accuracy before and after (publish only, when the questions were available). */
  accuracy?: { before: number; after: number; total: number };
  /** How many emergency-related changes an admin confirmed with the phrase (publish only). */
  confirmedDangers?: number;
  /** For a rollback: the entry whose "before" state was restored. */
  rollbackOf?: string;
  /** The engine version that served after this entry. */
  version?: number;
}

/** One history entry with every intent/fact file as it was before that publish or rollback. */
export interface HistoryRecord {
  entry: HistoryEntry;
  filesBefore: KnowledgeFiles;
}

/** The history record that lands together with a set of file changes, or is taken back with them. */
export type HistoryChange = { add: HistoryRecord } | { remove: string };

export interface KnowledgeWriter {
  /** Every intent and fact file as it is on disk now. */
  snapshot(): Promise<KnowledgeFiles>;
  /**
   * The file changes that turn `current` into `kb`. Every rendered file is checked against its
   * schema; a failure throws ValidationError before anything is written.
   */
  render(kb: { intents: readonly Intent[]; facts: readonly Fact[] }, current: KnowledgeFiles): FileChanges;
  /**
   * Applies every change and the history change together, or none of them: if it throws, nothing
   * changed; if the process dies part-way, the next load of the knowledge finishes the work.
   */
  apply(changes: FileChanges, history?: HistoryChange): Promise<void>;
}

export interface UnreadableHistory {
  /** The file's name in the history folder. */
  file: string;
  reason: string;
}

export interface HistoryListing {
  /** Newest first. */
  entries: HistoryEntry[];
  /** Files that could not be read or parsed: skipped, so the rest of the history still shows. */
  unreadable: UnreadableHistory[];
}

export interface HistoryStore {
  newId(): string;
  list(): Promise<HistoryListing>;
  /** The files as they were before entry `id`; NotFoundError when there is no such entry. */
  filesBefore(id: string): Promise<KnowledgeFiles>;
  /** Rewrites a record already committed with its files (to add the engine version that served). */
  update(record: HistoryRecord): Promise<void>;
}
