import type { UpdateClaim, UpdateDeduper } from './ports.ts';

/**
 * In-memory guards in front of the handlers. Both are bounded so a long-running bot does not
 * grow without limit.
 */

/**
 * Per-user flood control: at most `max` updates in any `windowMs`. `check` says whether this
 * update may be handled and, when not, whether this is the first refusal in the current burst
 * (so the citizen is told once, not once per message).
 */
export function createFloodGate(options: { max: number; windowMs: number; now?: () => number }) {
  const now = options.now ?? (() => Date.now());
  const hits = new Map<number, number[]>();
  const warned = new Map<number, number>();
  return {
    check(userId: number): { allowed: true } | { allowed: false; firstRefusal: boolean } {
      const at = now();
      const recent = (hits.get(userId) ?? []).filter((time) => at - time < options.windowMs);
      if (recent.length >= options.max) {
        hits.set(userId, recent);
        const lastWarning = warned.get(userId);
        const firstRefusal = lastWarning === undefined || at - lastWarning >= options.windowMs;
        if (firstRefusal) warned.set(userId, at);
        return { allowed: false, firstRefusal };
      }
      recent.push(at);
      hits.set(userId, recent);
      if (hits.size > 10_000) prune(at);
      return { allowed: true };
    },
  };

  function prune(at: number) {
    for (const [userId, times] of hits) {
      if (times.every((time) => at - time >= options.windowMs)) {
        hits.delete(userId);
        warned.delete(userId);
      }
    }
  }
}

/**
 * The default UpdateDeduper (ports.ts) for one process: remembers the last `capacity` update
 * ids. Telegram re-sends an update when a webhook call failed or polling restarted before
 * confirming it; the second copy must not be answered. Several processes share PostgreSQL's
 * (adapters/postgres/update-claims.ts) instead.
 */
export function createUpdateDeduper(capacity = 5_000): UpdateDeduper {
  const seen = new Set<number>();
  const claimed: UpdateClaim = { done: async () => {} };
  return {
    async claim(updateId) {
      if (seen.has(updateId)) return undefined;
      seen.add(updateId);
      if (seen.size > capacity) {
        const oldest = seen.values().next().value;
        if (oldest !== undefined) seen.delete(oldest);
      }
      return claimed;
    },
  };
}
