import { createHash } from 'node:crypto';
import type { Fact, Intent, KnowledgeBase } from '../knowledge/schema.ts';
import type { Issue } from '../lib/issues.ts';
import { createKeyedQueue } from '../lib/keyed-queue.ts';
import { ConflictError, NotFoundError, StateError, ValidationError } from './errors.ts';
import { checkFact, checkIntent, intentFile } from './validate-item.ts';

/**
 * The shared draft admins edit. It starts as a copy of the live knowledge on the first edit and
 * collects changes until a publish. Every item has a revision (hash of its content); a save must
 * name the revision it was loaded at, and a mismatch is a ConflictError — never a silent
 * overwrite. Calls are serialised (see `exclusive`) so two saves cannot interleave between the
 * revision check and the write.
 */

export interface DraftChange {
  kind: 'intent' | 'fact';
  id: string;
  action: 'add' | 'edit' | 'delete';
  by: string;
  at: string;
}

interface DraftData {
  /** Hash of the live intents+facts the draft was copied from. */
  base: string;
  intents: Intent[];
  facts: Fact[];
  changes: DraftChange[];
}

export type DraftLoad =
  | { state: 'none' }
  | { state: 'loaded'; data: unknown }
  /** Not JSON, or not a draft: moved aside to `movedTo`, never overwritten. */
  | { state: 'corrupt'; movedTo: string }
  /** Could not be read (e.g. permissions): left where it is. */
  | { state: 'unreadable'; reason: string };

export interface DraftPersistence {
  /** `accept` says whether parsed JSON is a draft; anything else counts as corrupt. */
  load(accept: (value: unknown) => boolean): Promise<DraftLoad>;
  save(data: unknown): Promise<void>;
  clear(): Promise<void>;
}

function isDraftData(value: unknown): boolean {
  const stored = value as Partial<DraftData> | null;
  return (
    typeof stored === 'object' && stored !== null && typeof stored.base === 'string' &&
    Array.isArray(stored.intents) && Array.isArray(stored.facts) && Array.isArray(stored.changes)
  );
}

export interface SaveResult<T> {
  item: T;
  revision: string;
  /** Cross-file problems in the whole draft after this save (they block publish, not the save). */
  lint: Issue[];
}

export function revisionOf(item: unknown): string {
  return createHash('sha256').update(JSON.stringify(item)).digest('hex').slice(0, 12);
}

export function knowledgeHash(kb: Pick<KnowledgeBase, 'intents' | 'facts'>): string {
  return revisionOf({ intents: kb.intents, facts: kb.facts });
}

export type Drafts = Awaited<ReturnType<typeof createDrafts>>;

export async function createDrafts(deps: {
  live: () => KnowledgeBase;
  lint?: (kb: KnowledgeBase) => Issue[];
  persistence?: DraftPersistence;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  let data: DraftData | undefined;
  /** What the console should tell admins about the stored draft, if anything went wrong with it. */
  let problem: string | undefined;
  let unreadable = false;
  const queue = createKeyedQueue();

  async function loadStored(): Promise<void> {
    const loaded = (await deps.persistence?.load(isDraftData)) ?? { state: 'none' };
    unreadable = loaded.state === 'unreadable';
    if (loaded.state === 'loaded') data = loaded.data as DraftData;
    if (loaded.state === 'corrupt') problem = `草稿文件已损坏，已移到 ${loaded.movedTo}；草稿从线上知识库重新开始。`;
    if (loaded.state === 'unreadable') {
      problem = `草稿文件无法读取（${loaded.reason}）。为免覆盖其中未发布的修改，暂不能保存；请检查文件权限后重试，或放弃草稿。`;
    }
    if (loaded.state === 'loaded' || loaded.state === 'none') problem = undefined;
  }
  await loadStored();

  /** Runs one mutation at a time; a failure does not block the next. */
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    return queue.run('draft', async () => {
      if (unreadable) await loadStored(); // the permissions may have been fixed since
      if (unreadable) throw new StateError(problem ?? '草稿文件无法读取');
      return work();
    });
  }

  function current(): DraftData {
    if (data) return data;
    const live = deps.live();
    return { base: knowledgeHash(live), intents: live.intents, facts: live.facts, changes: [] };
  }

  function kb(): KnowledgeBase {
    const draft = current();
    return { ...deps.live(), intents: draft.intents, facts: draft.facts };
  }

  async function commit(next: DraftData): Promise<Issue[]> {
    data = next;
    await deps.persistence?.save(next);
    problem = undefined;
    return deps.lint ? deps.lint(kb()) : [];
  }

  function change(kind: DraftChange['kind'], id: string, action: DraftChange['action'], by: string): DraftChange {
    return { kind, id, action, by, at: now().toISOString() };
  }

  function expectRevision(kind: 'intent' | 'fact', id: string, item: unknown, expected: string | undefined) {
    const actual = item === undefined ? undefined : revisionOf(item);
    if (actual !== expected) throw new ConflictError(kind, id, actual);
  }

  return {
    kb,
    /** The live knowledge the draft is compared with (what a publish replaces). */
    live: (): KnowledgeBase => deps.live(),
    view() {
      const draft = current();
      return {
        dirty: draft.changes.length > 0,
        /** The live knowledge changed under a dirty draft (publish would overwrite that change). */
        stale: draft.changes.length > 0 && draft.base !== knowledgeHash(deps.live()),
        /** A stored draft that was corrupt (moved aside) or cannot be read, in words for admins. */
        ...(problem ? { problem } : {}),
        changes: draft.changes,
        intents: draft.intents.map((item) => ({ item, revision: revisionOf(item) })),
        facts: draft.facts.map((item) => ({ item, revision: revisionOf(item) })),
      };
    },

    /**
     * Creates (`revision` undefined) or replaces the intent `name`. Renaming is allowed: the
     * new name must be free.
     */
    saveIntent(name: string | undefined, input: unknown, revision: string | undefined, by: string) {
      return exclusive(async (): Promise<SaveResult<Intent>> => {
        const draft = current();
        const existing = name === undefined ? undefined : draft.intents.find((intent) => intent.name === name);
        if (name !== undefined && !existing) throw new NotFoundError('intent', name);
        if (existing) expectRevision('intent', existing.name, existing, revision);
        const others = draft.intents.filter((intent) => intent !== existing);
        const { intent, issues } = checkIntent(input, { facts: draft.facts, intents: others });
        if (!intent || issues.length > 0) throw new ValidationError(issues);
        const taken = others.find((other) => other.name === intent.name);
        if (taken) throw new ConflictError('intent', intent.name, revisionOf(taken));
        const intents = existing
          ? draft.intents.map((other) => (other === existing ? intent : other))
          : [...draft.intents, intent];
        const lint = await commit({
          ...draft,
          intents,
          changes: [...draft.changes, change('intent', intent.name, existing ? 'edit' : 'add', by)],
        });
        return { item: intent, revision: revisionOf(intent), lint };
      });
    },

    deleteIntent(name: string, revision: string | undefined, by: string) {
      return exclusive(async () => {
        const draft = current();
        const existing = draft.intents.find((intent) => intent.name === name);
        if (!existing) throw new NotFoundError('intent', name);
        expectRevision('intent', name, existing, revision);
        const users = draft.intents.filter((intent) => intent.name !== name && intent.followups.includes(name));
        if (users.length > 0) {
          throw new ValidationError(
            users.map((user) => ({
              file: intentFile(user.name),
              path: `intents[${user.name}].followups`,
              code: 'intent_in_use',
              severity: 'error',
              message: `${user.name} 的追问仍引用 ${name}`,
            })),
            '该意图仍被引用，未删除',
          );
        }
        return commit({
          ...draft,
          intents: draft.intents.filter((intent) => intent !== existing),
          changes: [...draft.changes, change('intent', name, 'delete', by)],
        });
      });
    },

    /** Appends one example (from the review inbox). Appending commutes, so no revision is needed. */
    addExample(name: string, text: string, by: string) {
      return exclusive(async (): Promise<SaveResult<Intent>> => {
        const draft = current();
        const existing = draft.intents.find((intent) => intent.name === name);
        if (!existing) throw new NotFoundError('intent', name);
        const example = text.trim();
        const next = existing.examples.some((known) => known.trim() === example)
          ? existing
          : { ...existing, examples: [...existing.examples, example] };
        const { intent, issues } = checkIntent(next, {
          facts: draft.facts,
          intents: draft.intents.filter((other) => other !== existing),
        });
        if (!intent || issues.length > 0) throw new ValidationError(issues);
        const lint = await commit({
          ...draft,
          intents: draft.intents.map((other) => (other === existing ? intent : other)),
          changes: [...draft.changes, change('intent', name, 'edit', by)],
        });
        return { item: intent, revision: revisionOf(intent), lint };
      });
    },

    saveFact(id: string | undefined, input: unknown, revision: string | undefined, by: string) {
      return exclusive(async (): Promise<SaveResult<Fact>> => {
        const draft = current();
        const existing = id === undefined ? undefined : draft.facts.find((fact) => fact.id === id);
        if (id !== undefined && !existing) throw new NotFoundError('fact', id);
        if (existing) expectRevision('fact', existing.id, existing, revision);
        const { fact, issues } = checkFact(input, deps.live());
        if (!fact || issues.length > 0) throw new ValidationError(issues);
        const others = draft.facts.filter((other) => other !== existing);
        const taken = others.find((other) => other.id === fact.id);
        if (taken) throw new ConflictError('fact', fact.id, revisionOf(taken));
        if (existing && existing.id !== fact.id) assertFactUnused(draft.intents, existing.id);
        const stamped: Fact = { ...fact, updatedAt: now().toISOString(), updatedBy: by };
        const facts = existing ? draft.facts.map((other) => (other === existing ? stamped : other)) : [...draft.facts, stamped];
        const lint = await commit({
          ...draft,
          facts,
          changes: [...draft.changes, change('fact', fact.id, existing ? 'edit' : 'add', by)],
        });
        return { item: stamped, revision: revisionOf(stamped), lint };
      });
    },

    deleteFact(id: string, revision: string | undefined, by: string) {
      return exclusive(async () => {
        const draft = current();
        const existing = draft.facts.find((fact) => fact.id === id);
        if (!existing) throw new NotFoundError('fact', id);
        expectRevision('fact', id, existing, revision);
        assertFactUnused(draft.intents, id);
        return commit({
          ...draft,
          facts: draft.facts.filter((fact) => fact !== existing),
          changes: [...draft.changes, change('fact', id, 'delete', by)],
        });
      });
    },

    /** Drops the draft: it follows the live knowledge again (after publish, rollback or discard). */
    reset() {
      // Not `exclusive`: discarding is how an admin gets past a draft file that cannot be read.
      return queue.run('draft', async () => {
        data = undefined;
        await deps.persistence?.clear();
        unreadable = false;
        problem = undefined;
      });
    },
  };
}

function assertFactUnused(intents: readonly Intent[], id: string): void {
  const users = intents.filter((intent) => intent.answer.facts.includes(id));
  if (users.length === 0) return;
  throw new ValidationError(
    users.map((user) => ({
      file: intentFile(user.name),
      path: `intents[${user.name}].answer.facts`,
      code: 'fact_in_use',
      severity: 'error',
      message: `${user.name} 仍引用事实 ${id}`,
    })),
    '该事实仍被意图引用',
  );
}
