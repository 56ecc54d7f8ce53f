import { createHmac, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { ConfigError, type Config } from '../config.ts';
import { createSemaphore, SemaphoreFullError } from '../lib/semaphore.ts';
import { BusyError } from './errors.ts';
import { consolePasswordProblems, weakPasswordReason } from './password-strength.ts';

/**
 * Console accounts. Passwords come from the environment once, are hashed with scrypt at start-up
 * and the plain text is dropped; a login is checked by hashing the attempt and comparing in
 * constant time. An unknown user costs the same hash so timing does not reveal user names.
 *
 * Each check runs scrypt on libuv's thread pool (4 threads by default), the same pool that
 * serves every file read and write of the chat. A burst of logins used to take all four and
 * froze the chat for seconds, so at most HASH_CONCURRENCY checks run at once, HASH_QUEUE more
 * wait, and the rest are refused with BusyError (the login limiter keeps honest users far
 * below that).
 */

export type Role = 'staff' | 'admin';

interface Account {
  user: string;
  role: Role;
  salt: Buffer;
  hash: Buffer;
}

export interface Accounts {
  /**
   * The account's role when the password is right. Throws BusyError when too many checks are
   * already queued (see HASH_QUEUE): the caller answers "try again shortly", not "wrong password".
   */
  verify(user: string, password: string): Promise<Role | undefined>;
  roles(): { user: string; role: Role }[];
}

export interface AccountsSetup {
  accounts: Accounts;
  /** Set when no ADMIN_PASSWORD was given: a one-time password for this run only. */
  generated?: { user: string; password: string };
  /** Lines for the start-up log. */
  notes: string[];
}

const KEY_LENGTH = 32;
const HASH_CONCURRENCY = 2;
const HASH_QUEUE = 16;

function hashPassword(password: string, salt: Buffer): Buffer {
  return scryptSync(password.normalize('NFKC'), salt, KEY_LENGTH);
}

function hashAsync(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

function makeAccount(user: string, role: Role, password: string): Account {
  const salt = randomBytes(16);
  return { user, role, salt, hash: hashPassword(password, salt) };
}

type AccountConfig = Pick<Config, 'ADMIN_USER' | 'ADMIN_PASSWORD' | 'STAFF_USER' | 'STAFF_PASSWORD'>;

/**
 * Refuses to start with a console password from the top of a guessing list, naming the
 * variable. main.ts calls it right after loading the config so the error comes before the
 * knowledge loads; createAccounts calls it again for every other composition root.
 */
export function assertStrongPasswords(config: AccountConfig): void {
  const problems = consolePasswordProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
}

/** A one-time password that passes our own rule (20 base64url characters nearly always do). */
function generatePassword(user: string): string {
  let password: string;
  do password = randomBytes(15).toString('base64url');
  while (weakPasswordReason(password, user) !== undefined);
  return password;
}

/**
 * Builds the accounts from config. Without ADMIN_PASSWORD a random one-time admin password is
 * generated (and returned for the log) so a fresh checkout can open the console; without
 * STAFF_PASSWORD there is no staff login. A weak password is a ConfigError.
 */
export function createAccounts(config: AccountConfig): AccountsSetup {
  assertStrongPasswords(config);
  const list: Account[] = [];
  const notes: string[] = [];
  let generated: AccountsSetup['generated'];
  const adminUser = config.ADMIN_USER ?? 'admin';
  if (config.ADMIN_PASSWORD) {
    list.push(makeAccount(adminUser, 'admin', config.ADMIN_PASSWORD));
  } else {
    const password = generatePassword(adminUser);
    generated = { user: adminUser, password };
    list.push(makeAccount(adminUser, 'admin', password));
    notes.push(
      `未设置 ADMIN_PASSWORD：本次运行的一次性管理员密码为 ${password}（用户名 ${adminUser}）。长期使用请在 .env 中设置 ADMIN_USER/ADMIN_PASSWORD。`,
    );
  }
  if (config.STAFF_PASSWORD) {
    const staffUser = config.STAFF_USER ?? 'staff';
    if (staffUser === adminUser) notes.push('STAFF_USER 与 ADMIN_USER 相同，已忽略工作人员账号');
    else list.push(makeAccount(staffUser, 'staff', config.STAFF_PASSWORD));
  } else {
    notes.push('未设置 STAFF_PASSWORD：工作人员（只读测试）账号未启用。');
  }
  const dummy = makeAccount('\u0000', 'staff', randomBytes(12).toString('hex'));
  const hashing = createSemaphore(HASH_CONCURRENCY, HASH_QUEUE);
  const hashLimited = async (password: string, salt: Buffer) => {
    try {
      return await hashing.run(() => hashAsync(password, salt));
    } catch (error) {
      if (error instanceof SemaphoreFullError) throw new BusyError('现在登录的人太多，请稍等几秒再试', 5);
      throw error;
    }
  };

  return {
    generated,
    notes,
    accounts: {
      async verify(user, password) {
        const account = list.find((candidate) => candidate.user === user);
        const target = account ?? dummy;
        const attempt = await hashLimited(password, target.salt);
        const same = timingSafeEqual(attempt, target.hash);
        return account && same ? account.role : undefined;
      },
      roles: () => list.map(({ user, role }) => ({ user, role })),
    },
  };
}

export function roleAllows(role: Role, needed: Role): boolean {
  return needed === 'staff' || role === 'admin';
}

// === Sessions =================================================================================

export interface Session {
  user: string;
  role: Role;
  /** Random per login; the CSRF token and revocation hang on it. */
  nonce: string;
  expires: number;
}

export interface Sessions {
  issue(user: string, role: Role, now?: number): { token: string; session: Session };
  read(token: string | undefined, now?: number): Session | undefined;
  csrfToken(session: Session): string;
  checkCsrf(session: Session, token: string | undefined): boolean;
  revoke(session: Session, now?: number): void;
  /** Revoked sessions still held (they are dropped once they would have expired anyway). */
  readonly revokedCount: number;
  /** A token that marks this browser as one that logged in to `user` before (see login-limit.ts). */
  deviceToken(user: string, now?: number): string;
  /** The browser's device id when `token` was issued for `user` and has not expired. */
  readDevice(token: string | undefined, user: string, now?: number): string | undefined;
}

export const DEVICE_TTL_MS = 180 * 24 * 60 * 60 * 1000;

/**
 * Stateless signed tokens (`payload.signature`, HMAC-SHA256) for sessions and trusted browsers.
 * With SESSION_SECRET set they survive a restart; without it a random secret lives for this
 * process only. Logout adds the nonce to an in-memory revoked map until the session would have
 * expired anyway; entries past that are dropped on the next logout, so the map holds at most
 * the logouts of one `ttlMs`. Entries are never dropped early: that would revive a session.
 */
export function createSessions(secret: string | undefined, ttlMs = 12 * 60 * 60 * 1000): Sessions {
  const key = secret ?? randomBytes(32).toString('hex');
  const revoked = new Map<string, number>(); // nonce → when the session expires
  const sign = (text: string) => createHmac('sha256', key).update(text).digest('base64url');
  const same = (a: string, b: string) => {
    const left = Buffer.from(a);
    const right = Buffer.from(b);
    return left.length === right.length && timingSafeEqual(left, right);
  };
  // Each kind of token signs a different text (`device:` prefix; base64url has no colon), so one
  // kind can never be passed off as another.
  const seal = (value: object, prefix = '') => {
    const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${payload}.${sign(prefix + payload)}`;
  };
  const open = (token: string | undefined, prefix = ''): Record<string, unknown> | undefined => {
    if (!token) return undefined;
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined || !same(signature, sign(prefix + payload))) return undefined;
    try {
      const value: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined; // signed by us but unreadable: treat as no token
    }
  };

  return {
    issue(user, role, now = Date.now()) {
      const session: Session = { user, role, nonce: randomBytes(16).toString('base64url'), expires: now + ttlMs };
      return { token: seal(session), session };
    },
    read(token, now = Date.now()) {
      const session = open(token) as Session | undefined;
      if (!session || typeof session.expires !== 'number' || typeof session.nonce !== 'string') return undefined;
      if (session.expires <= now || revoked.has(session.nonce)) return undefined;
      if (session.role !== 'admin' && session.role !== 'staff') return undefined;
      return session;
    },
    csrfToken: (session) => sign(`csrf:${session.nonce}`),
    checkCsrf: (session, token) => token !== undefined && same(token, sign(`csrf:${session.nonce}`)),
    revoke(session, now = Date.now()) {
      for (const [nonce, expires] of revoked) if (expires <= now) revoked.delete(nonce);
      if (session.expires > now) revoked.set(session.nonce, session.expires);
    },
    get revokedCount() {
      return revoked.size;
    },
    deviceToken(user, now = Date.now()) {
      return seal({ user, id: randomBytes(12).toString('base64url'), expires: now + DEVICE_TTL_MS }, 'device:');
    },
    readDevice(token, user, now = Date.now()) {
      const device = open(token, 'device:');
      if (!device || device.user !== user || typeof device.id !== 'string') return undefined;
      return typeof device.expires === 'number' && device.expires > now ? device.id : undefined;
    },
  };
}
