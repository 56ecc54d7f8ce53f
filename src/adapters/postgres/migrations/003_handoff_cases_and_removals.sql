-- 转人工 cases answered on the console's 在线咨询 page: open until a staff member ends them; the
-- messages (masked) are only ever appended, so their count is a reading position for the chat.
CREATE TABLE IF NOT EXISTS handoff_cases (
  id text PRIMARY KEY,
  seq bigserial NOT NULL,
  chat_key text NOT NULL,
  channel text NOT NULL,
  opened_at timestamptz NOT NULL,
  messages jsonb NOT NULL DEFAULT '[]'::jsonb,
  closed_at timestamptz,
  closed_by text
);
CREATE INDEX IF NOT EXISTS handoff_cases_open ON handoff_cases (opened_at, seq) WHERE closed_at IS NULL;
CREATE INDEX IF NOT EXISTS handoff_cases_chat ON handoff_cases (chat_key);
CREATE INDEX IF NOT EXISTS handoff_cases_opened_at ON handoff_cases (opened_at);

-- How many exchanges have been deleted (forget, retention), shared by every process: a reader
-- that keeps exchanges between calls (the review inbox) rereads when it changes.
CREATE TABLE IF NOT EXISTS store_counters (
  name text PRIMARY KEY,
  value bigint NOT NULL DEFAULT 0
);
INSERT INTO store_counters (name, value) VALUES ('exchanges_removed', 0) ON CONFLICT (name) DO NOTHING;
