import type { Accounts, Sessions } from '../../admin/auth.ts';
import type { LoginLimiter } from '../../admin/login-limit.ts';
import type { BenchQuestion } from '../../admin/bench.ts';
import type { Drafts } from '../../admin/drafts.ts';
import type { InboxFeed } from '../../admin/inbox-feed.ts';
import type { RuntimeStore } from '../../admin/ports.ts';
import type { Conversation } from '../../chat/conversation.ts';
import type { HandoffDesk } from '../../chat/handoffs.ts';
import type { HistoryStore } from '../../admin/publish-ports.ts';
import type { LiveCore, Publisher } from '../../admin/publish.ts';
import type { Config } from '../../config.ts';
import type { Logger } from '../../lib/logger.ts';
import type { RateLimits } from './rate-limit.ts';
import type { TrustedProxies } from './security.ts';

/** Everything the routes use, built once by server.ts (or by a test with fakes). */
export interface WebServices {
  config: Config;
  core: LiveCore;
  store: RuntimeStore;
  logger: Logger;
  accounts: Accounts;
  sessions: Sessions;
  limiter: LoginLimiter;
  /** The chat's rate limits; when absent, each app counts in its own memory (see chat-guard.ts). */
  chatLimits?: RateLimits;
  /** TRUSTED_PROXIES, ready to match (see clientAddress). */
  proxies: TrustedProxies;
  drafts: Drafts;
  publisher: Publisher;
  history: HistoryStore;
  /** The review inbox, kept between visits. */
  inbox: InboxFeed;
  heldout: () => Promise<BenchQuestion[]>;
  /** Cookies get `Secure` when the console is served over HTTPS (set by the composition root). */
  secureCookies: boolean;
  telegramWebhook?: (update: unknown, secretToken: string | undefined) => Promise<{ status: number }>;
  now?: () => Date;
  /** The chat turn shared with Telegram (built by the chat routes when not given). */
  conversation?: Conversation;
  /** 转人工 cases for the chat and the 在线咨询 page (shared with Telegram by the composition root). */
  handoffs: HandoffDesk;
}

export async function readJson<T = Record<string, unknown>>(request: { json(): Promise<unknown> }): Promise<T> {
  try {
    const body = await request.json();
    return (body && typeof body === 'object' ? body : {}) as T;
  } catch {
    return {} as T; // an unreadable body is treated as empty; each route checks what it needs
  }
}
