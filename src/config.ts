import { isIP } from 'node:net';
import { z } from 'zod';
import { parseServiceHours } from './lib/service-hours.ts';
import { DEFAULT_MARGIN, DEFAULT_THRESHOLD } from './nlp/understand.ts';

/**
 * Configuration, read once from an injected environment by each entry point (never at import
 * time). An empty string counts as unset. Every variable is listed in .env.example.
 */

const optionalString = z.string().trim().min(1).optional();
const csvOfInts = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (!value) return [] as number[];
    const parts = value.split(',').map((part) => part.trim()).filter(Boolean);
    const ids = parts.map(Number);
    if (ids.some((id) => !Number.isSafeInteger(id))) {
      ctx.addIssue({ code: 'custom', message: '应为逗号分隔的数字 Telegram 用户 ID' });
    }
    return ids;
  });

/** An IP address or a CIDR range (10.0.0.0/8, fd00::/8). */
function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, extra] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  INTENTS_DIR: z.string().default('intents'),
  DATA_DIR: z.string().default('data'),
  RUNTIME_DIR: z.string().default('data/runtime'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Below this calibrated score the intent is `none` and the bot asks to clarify. */
  CONFIDENCE_THRESHOLD: z.coerce.number().min(0).max(1).default(DEFAULT_THRESHOLD),
  /** Top two closer than this (and neither a rule) → ask which one was meant. */
  AMBIGUITY_MARGIN: z.coerce.number().min(0).max(1).default(DEFAULT_MARGIN),
  CONTEXT_TTL_MINUTES: z.coerce.number().int().min(1).default(30),
  RETENTION_DAYS: z.coerce.number().int().min(1).default(180),
  /**
   * Unset: the embedded store under RUNTIME_DIR (one process). Set: runtime data in PostgreSQL,
   * so several processes can serve the same bot.
   */
  DATABASE_URL: z
    .string()
    .trim()
    .refine(isPostgresUrl, { message: '应为 postgres://用户:密码@主机:端口/数据库 形式的地址' })
    .optional(),
  /** Connections per pool; each process opens up to three pools (queries, chat locks, update claims). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  // Telegram
  BOT_TOKEN: optionalString,
  WEBHOOK_URL: z.url().optional(),
  WEBHOOK_SECRET: optionalString,
  TELEGRAM_API_ROOT: z.url().optional(),
  STAFF_CHAT_ID: z.coerce.number().int().optional(),
  ADMIN_IDS: csvOfInts,
  FLOOD_MAX_MESSAGES: z.coerce.number().int().min(1).default(8),
  FLOOD_WINDOW_SECONDS: z.coerce.number().int().min(1).default(20),
  // Web console
  ADMIN_USER: optionalString,
  ADMIN_PASSWORD: optionalString,
  STAFF_USER: optionalString,
  STAFF_PASSWORD: optionalString,
  SESSION_SECRET: optionalString,
  /** Failed console logins allowed per account and per address in LOGIN_WINDOW_MINUTES. */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  LOGIN_WINDOW_MINUTES: z.coerce.number().int().min(1).default(10),
  /**
   * Addresses of reverse proxies whose X-Forwarded-For is believed (comma-separated IPs). Unset:
   * the socket address is the client, and X-Forwarded-For is ignored (anyone could forge it).
   */
  TRUSTED_PROXIES: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const list = value ? value.split(',').map((part) => part.trim()).filter(Boolean) : [];
      const bad = list.filter((entry) => !isAddressOrRange(entry));
      if (bad.length > 0) ctx.addIssue({ code: 'custom', message: `应为逗号分隔的 IP 地址或网段（如 127.0.0.1,10.0.0.0/8），无法识别：${bad.join('、')}` });
      return list;
    }),
  // Web chat abuse limits
  /** Longest web chat message accepted (characters); longer gets a 413 with a clear message. */
  CHAT_MAX_CHARS: z.coerce.number().int().min(50).max(100_000).default(2000),
  /** Web chat messages per minute from one browser session. */
  CHAT_RATE_PER_SESSION: z.coerce.number().int().min(1).default(20),
  /** Web chat messages per minute from one address (offices share one address behind NAT). */
  CHAT_RATE_PER_ADDRESS: z.coerce.number().int().min(1).default(120),
  /** New web chat sessions one address may start per hour. */
  NEW_CHATS_PER_ADDRESS_PER_HOUR: z.coerce.number().int().min(1).default(60),
  // Human handoff (转人工)
  /** When staff answer handoffs online, read in UTC+8 (see lib/service-hours.ts); 关闭 = never. */
  HANDOFF_HOURS: z
    .string()
    .default('周一至周五 08:30-17:30')
    .transform((value, ctx) => {
      const parsed = parseServiceHours(value);
      if (parsed.ok) return parsed.hours;
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }),
  /** A console user counts as online for this long after the 在线咨询 page last asked for news. */
  HANDOFF_STAFF_SEEN_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(5),
});

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
  } catch {
    return false; // not a URL at all: reported as the message above
  }
}

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`配置有误：\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = ConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const problems: string[] = [];
  if (parsed.data.WEBHOOK_URL && !parsed.data.WEBHOOK_SECRET) {
    problems.push('WEBHOOK_SECRET: 使用 WEBHOOK_URL 时必须设置密钥');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}
