-- Abuse-limit counters shared by every process (src/adapters/postgres/rate-limits.ts and
-- login-limits.ts), so N processes behind a proxy do not give a client N times the limit.
-- Writers of one key serialise on an advisory lock on hashtext(key) (LOCK_SPACE.limits), so a
-- check and the write that spends the allowance are one step across processes.

-- The web chat's token buckets: tokens left at at_ms; full_at_ms is when the bucket will have
-- refilled, after which the row holds nothing worth keeping and is purged.
CREATE TABLE IF NOT EXISTS rate_buckets (
  key text PRIMARY KEY,
  tokens double precision NOT NULL,
  at_ms bigint NOT NULL,
  full_at_ms bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS rate_buckets_full_at ON rate_buckets (full_at_ms);

-- Console login attempts, one row per (attempt, key it is counted against), written when the
-- attempt starts (failed = false: in flight) and marked failed, or deleted, when it ends. An
-- attempt whose process died stays in flight and so counts as a failure until its window
-- passes. Keys and account names are SHA-256 hashes: a name field often holds a password.
CREATE TABLE IF NOT EXISTS login_attempts (
  attempt_id uuid NOT NULL,
  key text NOT NULL,
  account text NOT NULL,
  started_at_ms bigint NOT NULL,
  failed boolean NOT NULL DEFAULT false,
  PRIMARY KEY (attempt_id, key)
);
CREATE INDEX IF NOT EXISTS login_attempts_key ON login_attempts (key, started_at_ms);
CREATE INDEX IF NOT EXISTS login_attempts_started ON login_attempts (started_at_ms);
