-- Telegram update ids already answered, shared by every process: Telegram re-sends an update
-- when a webhook call failed, and the copy may reach another process. A row is inserted in a
-- transaction that stays open while the update is handled (src/adapters/postgres/update-claims.ts),
-- so a copy arriving meanwhile waits, and a process killed mid-update leaves no row behind.
-- Rows older than a day are purged: Telegram gives up re-sending long before that.
CREATE TABLE IF NOT EXISTS telegram_updates (
  update_id bigint PRIMARY KEY,
  seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS telegram_updates_seen_at ON telegram_updates (seen_at);
