import { createCappedMap } from '../lib/capped-map.ts';

/**
 * How many passwords anyone may try on the console, counted when an attempt STARTS. Counting
 * only finished failures let a burst through: 300 simultaneous guesses were all checked before
 * the first failure was recorded. Here an attempt in flight counts as a failure until it ends,
 * so a burst of any size checks at most the limit's worth of passwords.
 *
 * The design follows OWASP's "device cookie" scheme and what django-axes and GitLab do, so that
 * guessing is capped without handing an attacker a switch that locks the admin out:
 *
 * - **Per client address, every account: `max`.** One source guesses at most `max` passwords
 *   per window, whichever names it types.
 * - **Per account name, from all addresses: `accountMax`** (default 4 × `max`). Caps a
 *   distributed guess (many addresses, a few tries each) on one account. It is higher than
 *   `max` so that a colleague's typos do not shut the account to new browsers.
 * - **A browser that has logged in to that account before** (it carries a signed device cookie
 *   for that account name) is counted only against its own device key, `max` per window, and
 *   ignores both limits above. So neither a botnet guessing at "admin" nor colleagues failing
 *   behind the same proxy or NAT address can lock the admin out of their own browser; an
 *   attacker cannot forge the cookie, and a stolen one buys only `max` guesses per window.
 *   Only new browsers wait while an attack on their account goes on, and only until it stops.
 *
 * A success clears the failures of the keys the attempt was counted against: the account's and
 * the address's failures for that account, or the trusted browser's. It does not clear the address's failures on other accounts: otherwise a staff
 * member could guess at "admin" without limit by logging in as staff between guesses. Attempts
 * in flight keep counting until they end.
 *
 * Memory is bounded: keys are dropped once their window has passed and capped at `maxKeys`
 * (see createCappedMap).
 */

export interface LoginLimitOptions {
  /** LOGIN_MAX_FAILURES: per address, and per trusted browser. */
  max: number;
  /** LOGIN_WINDOW_MINUTES in ms. */
  windowMs: number;
  /** Per account name from all addresses; default 4 × max. */
  accountMax?: number;
  maxKeys?: number;
}

export interface LoginAttempt {
  /** The account name as typed (kept in memory only, never logged). */
  user: string;
  address: string;
  /** Id of a valid device cookie issued to this browser for `user`, if any. */
  device?: string;
}

/** How an attempt ended: `unchecked` when the password was never checked (server busy). */
export type LoginOutcome = 'success' | 'failure' | 'unchecked';

export type LoginLimitScope = 'address' | 'account' | 'device';

/** The memory limiter answers at once; the PostgreSQL one (shared by processes) asks the database. */
type Awaitable<T> = T | Promise<T>;

export type LoginGate<Done = void> =
  | { ok: true; finish(outcome: LoginOutcome, now?: number): Done }
  | { ok: false; scope: LoginLimitScope; retryAfterSeconds: number };

/**
 * The port the login route counts through. `begin` must check and count atomically across
 * everything sharing the counters (a burst of 300 gets `max` turns), and `finish` turns the
 * attempt in flight into a failure, a success (clearing failures as described above) or
 * nothing. With DATABASE_URL the counters are shared (adapters/postgres/login-limits.ts).
 */
export interface LoginLimiter {
  begin(attempt: LoginAttempt, now?: number): Awaitable<LoginGate<Awaitable<void>>>;
}

/** This process's memory: synchronous, bounded. */
export interface MemoryLoginLimiter extends LoginLimiter {
  begin(attempt: LoginAttempt, now?: number): LoginGate;
  /** Keys held in memory (for tests of the bound). */
  readonly size: number;
}

/** The keys an attempt is counted against, with their limits (shared by both implementations). */
export function loginKeys(attempt: LoginAttempt, max: number, accountMax: number): [LoginLimitScope, string, number][] {
  return attempt.device
    ? [['device', `device:${attempt.device}`, max]]
    : [
        ['address', `address:${attempt.address}`, max],
        ['account', `account:${attempt.user}`, accountMax],
      ];
}

/**
 * Seconds until a key is below `limit` again, given the start times of its failures in the
 * window and of its attempts in flight counted as failing `now`.
 */
export function retryAfterSeconds(times: number[], limit: number, windowMs: number, now: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  const oldestThatMustLeave = sorted[sorted.length - limit] ?? now;
  return Math.max(1, Math.ceil((oldestThatMustLeave + windowMs - now) / 1000));
}

interface Entry {
  /** Start times of failed attempts, oldest first, with the account name each was for. */
  failures: { at: number; user: string }[];
  inFlight: number;
}

export function createLoginLimiter(options: LoginLimitOptions): MemoryLoginLimiter {
  const { max, windowMs } = options;
  const accountMax = options.accountMax ?? max * 4;
  const recent = (entry: Entry, now: number) => entry.failures.filter((failure) => now - failure.at < windowMs);
  const entries = createCappedMap<Entry>({
    maxKeys: options.maxKeys ?? 10_000,
    sweepEveryMs: windowMs,
    isStale: (entry, now) => entry.inFlight === 0 && recent(entry, now).length === 0,
  });

  /** Seconds until this entry is below `limit` again, counting attempts in flight as failing now. */
  const wait = (entry: Entry, limit: number, now: number) =>
    retryAfterSeconds([...recent(entry, now).map((failure) => failure.at), ...Array<number>(entry.inFlight).fill(now)], limit, windowMs, now);

  return {
    begin(attempt, now = Date.now()) {
      const keys = loginKeys(attempt, max, accountMax);
      let refusal: { scope: LoginLimitScope; retryAfterSeconds: number } | undefined;
      for (const [scope, key, limit] of keys) {
        const entry = entries.get(key, now);
        if (!entry || recent(entry, now).length + entry.inFlight < limit) continue;
        const seconds = wait(entry, limit, now);
        if (!refusal || seconds > refusal.retryAfterSeconds) refusal = { scope, retryAfterSeconds: seconds };
      }
      if (refusal) return { ok: false, ...refusal };

      const started = now;
      const held = keys.map(([scope, key]) => {
        const entry = entries.get(key, now) ?? { failures: [], inFlight: 0 };
        entry.inFlight += 1;
        entries.set(key, entry, now);
        return { scope, key, entry };
      });
      let finished = false;
      return {
        ok: true,
        finish(outcome, at = Date.now()) {
          if (finished) return; // a route's finally and catch may both call it
          finished = true;
          for (const { scope, key, entry } of held) {
            entry.inFlight -= 1;
            entry.failures = recent(entry, at);
            if (outcome === 'failure') entry.failures.push({ at: started, user: attempt.user });
            if (outcome === 'success') {
              entry.failures = scope === 'address' ? entry.failures.filter((failure) => failure.user !== attempt.user) : [];
            }
            // Drop an idle key at once, unless the map already holds a newer entry under it.
            if (entry.inFlight === 0 && entry.failures.length === 0 && entries.get(key, at) === entry) entries.delete(key);
          }
        },
      };
    },
    get size() {
      return entries.size;
    },
  };
}
