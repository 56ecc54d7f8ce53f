/**
 * A Map for per-client counters that an attacker cannot grow without bound. Every key they
 * invent (an address, a typed user name, a cookie) costs memory, so:
 *
 * - an entry that `isStale` (its window has passed) is dropped when read, and all stale entries
 *   are swept on insert at most once per `sweepEveryMs`, and whenever the map is full;
 * - when it is still full after the sweep, the oldest-inserted entries are dropped until a
 *   tenth of the room is free, so a full map costs one sweep per `maxKeys / 10` inserts, not
 *   one per insert. Dropping a live entry forgives that client early; that is the price of a
 *   memory bound, and an attacker needs `maxKeys` fresh keys within one window to cause it.
 */
export interface CappedMap<V> {
  get(key: string, now: number): V | undefined;
  set(key: string, value: V, now: number): void;
  delete(key: string): void;
  readonly size: number;
}

export function createCappedMap<V>(options: {
  maxKeys: number;
  isStale: (value: V, now: number) => boolean;
  sweepEveryMs: number;
}): CappedMap<V> {
  const { maxKeys, isStale, sweepEveryMs } = options;
  const entries = new Map<string, V>();
  let lastSweep = -Infinity;

  const sweep = (now: number) => {
    lastSweep = now;
    for (const [key, value] of entries) if (isStale(value, now)) entries.delete(key);
    if (entries.size < maxKeys) return;
    const target = maxKeys - Math.max(1, Math.floor(maxKeys / 10));
    for (const key of entries.keys()) {
      if (entries.size <= target) break;
      entries.delete(key);
    }
  };

  return {
    get(key, now) {
      const value = entries.get(key);
      if (value !== undefined && isStale(value, now)) {
        entries.delete(key);
        return undefined;
      }
      return value;
    },
    set(key, value, now) {
      if (!entries.has(key) && (entries.size >= maxKeys || now - lastSweep >= sweepEveryMs)) sweep(now);
      entries.set(key, value);
    },
    delete: (key) => void entries.delete(key),
    get size() {
      return entries.size;
    },
  };
}
