import type { KnowledgeBase } from './knowledge/schema.ts';
import type { DialogueState, EngineInput, EngineResult, Reply } from './dialogue/types.ts';
import type { Issue } from './lib/issues.ts';

export type SwapResult =
  | { ok: true; version: number; warnings: Issue[] }
  | { ok: false; issues: Issue[] };

/**
 * The one object every channel talks to. `respond` is synchronous and pure given the
 * knowledge in force: channels load and save the state around it.
 */
export interface Engine {
  respond(input: EngineInput, state: DialogueState | undefined, now?: Date): EngineResult;
  /** The topic menu (a Reply of kind `menu`). */
  menu(): Reply;
  /** Builds a new model from `kb`; invalid data is refused and the last good set keeps serving. */
  swap(kb: KnowledgeBase): SwapResult;
  knowledge(): KnowledgeBase;
  /** Increments on every successful swap. */
  version(): number;
}
