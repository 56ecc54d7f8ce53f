/**
 * First keys of the two-key advisory locks this bot takes, one per kind of lock, so a chat's
 * lock (second key = hashtext(chat key)) can never be the migration lock, and another program
 * sharing the database with single-key advisory locks never collides with ours (PostgreSQL keeps
 * one-key and two-key locks apart).
 */
export const LOCK_SPACE = {
  migrations: 12_348_001,
  chats: 12_348_002,
  /** Rate-limit and login-limit keys (second key = hashtext(key)). */
  limits: 12_348_003,
} as const;
