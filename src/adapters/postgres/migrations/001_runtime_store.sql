-- The runtime store for more than one process: what the embedded store keeps under RUNTIME_DIR
-- (src/adapters/runtime-store.ts), as tables. Every statement is idempotent (IF NOT EXISTS), so
-- a migration cut short by a crash before schema_migrations recorded it can run again.

-- Dialogue state, one row per chat. updated_at is the last save: sessions silent for longer
-- than the context TTL are deleted by it.
CREATE TABLE IF NOT EXISTS sessions (
  chat_key text PRIMARY KEY,
  state jsonb NOT NULL,
  last_exchange_id text,
  updated_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_updated_at ON sessions (updated_at);

-- Exchanges: seq orders them (ties in `at` keep the order they were stored in) and gives the
-- id, `<UTC day>-<seq>`, so an id is readable and never reused.
CREATE SEQUENCE IF NOT EXISTS exchange_seq;
CREATE TABLE IF NOT EXISTS exchanges (
  seq bigint PRIMARY KEY,
  id text NOT NULL UNIQUE,
  at timestamptz NOT NULL,
  channel text NOT NULL,
  chat_key text NOT NULL,
  text text NOT NULL,
  intent text NOT NULL,
  topic text NOT NULL,
  confidence double precision NOT NULL,
  kind text NOT NULL,
  decided_by text NOT NULL,
  reply text NOT NULL
);
-- "since a time" (dashboard, inbox) and the retention purge.
CREATE INDEX IF NOT EXISTS exchanges_at ON exchanges (at, seq);
-- forget(chat) and a chat's history.
CREATE INDEX IF NOT EXISTS exchanges_chat_key ON exchanges (chat_key);
-- statistics and the inbox by intent over a period.
CREATE INDEX IF NOT EXISTS exchanges_intent_at ON exchanges (intent, at);

-- One vote per exchange and chat; a second click replaces the first (seq: order of the click).
CREATE SEQUENCE IF NOT EXISTS feedback_seq;
CREATE TABLE IF NOT EXISTS feedback (
  exchange_id text NOT NULL,
  chat_key text NOT NULL,
  at timestamptz NOT NULL,
  value text NOT NULL CHECK (value IN ('up', 'down')),
  intent text NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (exchange_id, chat_key)
);
CREATE INDEX IF NOT EXISTS feedback_at ON feedback (at);
CREATE INDEX IF NOT EXISTS feedback_chat_key ON feedback (chat_key);

-- Staff statuses of exchanges in the console inbox. No foreign key: a status may be set on an
-- exchange that a citizen's /forget removes at the same moment, and that must not fail.
CREATE TABLE IF NOT EXISTS inbox_statuses (
  exchange_id text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('new', 'done', 'ignored')),
  updated_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS inbox_statuses_updated_at ON inbox_statuses (updated_at);

-- A message forwarded to the staff group → the citizen's chat, for the staff member's reply.
CREATE TABLE IF NOT EXISTS handoffs (
  staff_message_id bigint PRIMARY KEY,
  chat_key text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS handoffs_chat_key ON handoffs (chat_key);
CREATE INDEX IF NOT EXISTS handoffs_at ON handoffs (at);
