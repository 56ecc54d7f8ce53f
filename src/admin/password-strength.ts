/**
 * The minimum a console password must meet. The console can publish what the bot tells
 * citizens, and it faces the internet behind the proxy, so a password an attacker would try in
 * their first thousand guesses is refused at start-up instead of being found by them later.
 * Pure: the caller decides what to do with the reasons (config start-up raises a ConfigError).
 */

export const MIN_PASSWORD_LENGTH = 12;
/** All-digit passwords are guessed by counting; below this length that is quick. */
const MIN_DIGITS_ONLY_LENGTH = 16;

/**
 * Words that head every guessing list, including the ones people pick for a legal-aid office.
 * A password that is nothing but these (in any order and repetition) plus digits and symbols,
 * such as `Password@2024` or `admin-pass-123`, is refused.
 */
const COMMON_WORDS = [
  'password', 'passwd', 'pass', 'pwd', 'admin', 'administrator', 'root', 'user', 'login', 'guest',
  'staff', 'test', 'demo', 'default', 'changeme', 'change', 'welcome', 'letmein', 'let', 'me', 'in',
  'secret', 'qwerty', 'qwertyuiop', 'asdf', 'asdfgh', 'asdfghjkl', 'zxcv', 'zxcvbn', 'zxcvbnm',
  'qaz', 'wsx', 'edc', 'abc', 'abcd', 'iloveyou', 'love', 'woaini', 'monkey', 'dragon', 'master',
  'hello', 'sunshine', 'football', 'baseball', 'superman', 'princess', 'trustno', 'shadow',
  'console', 'server', 'leping', 'jiangxi', 'china', 'falv', 'lawyer', 'law', 'legal', 'aid',
];

/** Keyboard and counting runs: `1234567890123456` or `qwertyuiopas` are no better than `aaaa`. */
const SEQUENCES = ['0123456789', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiopasdfghjklzxcvbnm', '1qaz2wsx3edc4rfv5tgb6yhn'];

const LEET: Record<string, string> = { '@': 'a', '4': 'a', '3': 'e', '1': 'i', '!': 'i', '0': 'o', '$': 's', '5': 's', '7': 't' };

/**
 * Reads `p@ssw0rd` as `password`: a digit or symbol counts as a letter only inside a word (a
 * letter beside it, no digit beside it), so the `1` of `admin1234` stays a digit.
 */
function unLeet(text: string): string {
  const chars = [...text];
  const isLetter = (char: string | undefined) => char !== undefined && /\p{L}/u.test(char);
  const isDigit = (char: string | undefined) => char !== undefined && /\d/.test(char);
  return chars
    .map((char, at) => {
      const around = [chars[at - 1], chars[at + 1]];
      const inWord = around.some(isLetter) && !around.some(isDigit);
      return inWord ? (LEET[char] ?? char) : char;
    })
    .join('');
}

/** True when `text` can be cut into words of `words` (word break, small inputs only). */
function madeOfWords(text: string, words: ReadonlySet<string>): boolean {
  const ok = [true];
  for (let end = 1; end <= text.length; end += 1) {
    ok[end] = false;
    for (let start = Math.max(0, end - 16); start < end && !ok[end]; start += 1) {
      ok[end] = ok[start] === true && words.has(text.slice(start, end));
    }
  }
  return ok[text.length] === true;
}

/** True when the password is a short unit repeated (`abcabcabcabc`, `12121212…`). */
function repeatsShortUnit(text: string): boolean {
  for (let unit = 1; unit <= 4; unit += 1) {
    if (text.length % unit === 0 && text.slice(0, unit).repeat(text.length / unit) === text) return true;
  }
  return false;
}

/** True when the password runs along a keyboard row or the alphabet, forwards or backwards. */
function followsSequence(text: string): boolean {
  const runs = SEQUENCES.flatMap((run) => {
    const long = run.repeat(Math.ceil(text.length / run.length) + 1);
    return [long, [...long].reverse().join('')];
  });
  return runs.some((run) => run.includes(text));
}

/**
 * Why `password` is too weak for the account `user`, in Chinese, or undefined when it is
 * acceptable. Counts characters as code points after NFKC, as the hashing does.
 */
export function weakPasswordReason(password: string, user: string): string | undefined {
  const text = password.normalize('NFKC');
  const length = [...text].length;
  const lower = text.toLowerCase();
  if (length < MIN_PASSWORD_LENGTH) return `太短：至少需要 ${MIN_PASSWORD_LENGTH} 个字符（现在 ${length} 个）`;
  if (new Set(text).size === 1) return '不能全是同一个字符';
  if (/^\d+$/.test(text) && length < MIN_DIGITS_ONLY_LENGTH) return `纯数字密码至少需要 ${MIN_DIGITS_ONLY_LENGTH} 位`;
  if (lower === user.toLowerCase()) return '不能与用户名相同';
  if (repeatsShortUnit(lower) || followsSequence(lower)) return '不能是重复或连续的字符（如 abcabc…、123456…、qwerty…）';
  const words = new Set([...COMMON_WORDS, user.toLowerCase()]);
  const letters = lower.replace(/[^\p{L}]/gu, '');
  const unleet = unLeet(lower).replace(/[^\p{L}]/gu, '');
  if ((letters && madeOfWords(letters, words)) || (unleet && madeOfWords(unleet, words))) {
    return '只由常见词（如 password、admin、qwerty 或用户名）加数字和符号组成，很容易被猜到';
  }
  return undefined;
}

/**
 * The problems with the console passwords in `config`, one line per variable, naming it (for a
 * ConfigError). Unset passwords are not checked: no ADMIN_PASSWORD means a generated one, no
 * STAFF_PASSWORD means no staff login.
 */
export function consolePasswordProblems(config: {
  ADMIN_USER?: string;
  ADMIN_PASSWORD?: string;
  STAFF_USER?: string;
  STAFF_PASSWORD?: string;
}): string[] {
  const checks = [
    ['ADMIN_PASSWORD', config.ADMIN_PASSWORD, config.ADMIN_USER ?? 'admin'],
    ['STAFF_PASSWORD', config.STAFF_PASSWORD, config.STAFF_USER ?? 'staff'],
  ] as const;
  return checks.flatMap(([name, password, user]) => {
    const reason = password === undefined ? undefined : weakPasswordReason(password, user);
    return reason ? [`${name}: 密码太弱，${reason}。请换一个至少 ${MIN_PASSWORD_LENGTH} 个字符、不易猜到的密码（例如几个不相关的词加数字）`] : [];
  });
}
