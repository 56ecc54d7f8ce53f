import fc from 'fast-check';

/**
 * fast-check arbitraries for personal numbers (valid ID cards, mobiles, bank cards, landlines)
 * and for the ways citizens write them: groups split by random separators, full-width digits,
 * Chinese numerals for phones, country-code prefixes, all inside ordinary Chinese sentences.
 * Also the numbers that are not personal and must come through masking as written.
 */

const digits = (minLength: number, maxLength = minLength) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength, maxLength });

// ===== the numbers

/** Province codes in use; the next four digits (city, county) are random. */
const PROVINCES = '11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65'.split(' ');

/** A valid 18-character ID number: region, a real birth date, serial, ISO 7064 check character. */
export const idCardNumber = fc
  .record({
    province: fc.constantFrom(...PROVINCES),
    county: digits(4),
    birth: fc.date({ min: new Date('1920-01-01T00:00:00Z'), max: new Date('2024-12-31T00:00:00Z'), noInvalidDate: true }),
    serial: digits(3),
  })
  .map(({ province, county, birth, serial }) => {
    const body = `${province}${county}${birth.toISOString().slice(0, 10).replaceAll('-', '')}${serial}`;
    return body + idCheckCharacter(body);
  });

function idCheckCharacter(body: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * weights[index]!, 0);
  return '10X98765432'[sum % 11]!;
}

export const mobileNumber = fc
  .tuple(fc.constantFrom(...'3456789'), digits(9))
  .map(([second, rest]) => `1${second}${rest}`);

/** 16–19 digits behind a real card-scheme prefix (UnionPay 62/60, Visa, Mastercard, 95xxx, JCB), Luhn-valid. */
export const bankCardNumber = fc
  .tuple(fc.constantFrom('62', '60', '4', '5', '9', '3'), fc.integer({ min: 16, max: 19 }), digits(19))
  .map(([prefix, length, filler]) => {
    const body = (prefix + filler).slice(0, length - 1);
    return body + luhnCheckDigit(body);
  });

function luhnCheckDigit(body: string): string {
  const sum = [...body].reverse().reduce((total, char, index) => {
    const doubled = index % 2 === 0 ? Number(char) * 2 : Number(char);
    return total + (doubled > 9 ? doubled - 9 : doubled);
  }, 0);
  return String((10 - (sum % 10)) % 10);
}

/** A passbook or account number: 16–19 digits, any first digit. */
export const accountNumber = fc.integer({ min: 16, max: 19 }).chain((length) => digits(length));

/** Solid, or in the printed layout of fours with one separator throughout. */
export function inFours(number: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.boolean(), fc.constantFrom(...SEPARATORS), fc.boolean())
    .map(([solid, separator, fullWidth]) => {
      const text = solid ? number : (number.match(/.{1,4}/g) ?? []).join(separator);
      return fullWidth ? text.replace(/\d/g, (digit) => String.fromCharCode(digit.charCodeAt(0) - 0x30 + 0xff10)) : text;
    });
}

/** Area code (3-digit 010/02x or 4-digit 0[3-9]xx) and a 7–8 digit local number. */
export const landlineNumber = fc.record({
  area: fc.oneof(
    fc.constantFrom('010', '020', '021', '0791', '0798', '0755'),
    digits(1).map((digit) => `02${digit}`),
    fc.tuple(fc.constantFrom(...'3456789'), digits(2)).map(([first, rest]) => `0${first}${rest}`),
  ),
  local: fc.tuple(fc.constantFrom(...'23456789'), digits(6, 7)).map(([first, rest]) => first + rest),
});

// ===== how they are written

export type Script = 'ascii' | 'full-width' | 'mixed-width' | 'chinese' | 'mixed-chinese';
export const ARABIC_SCRIPTS: readonly Script[] = ['ascii', 'full-width', 'mixed-width'];
export const PHONE_SCRIPTS: readonly Script[] = [...ARABIC_SCRIPTS, 'chinese', 'mixed-chinese'];

const CHINESE_GLYPHS: Record<string, string[]> = {
  0: ['〇', '零', '○'], 1: ['一', '幺', '壹'], 2: ['二', '两', '贰'], 3: ['三', '叁'], 4: ['四', '肆'],
  5: ['五', '伍'], 6: ['六', '陆'], 7: ['七', '柒'], 8: ['八', '捌'], 9: ['九', '玖'],
};
const CHECK_GLYPHS = ['X', 'x', 'Ｘ', 'ｘ'];

function glyph(digit: string, script: Script, pick: number): string {
  if (digit === 'X') return CHECK_GLYPHS[pick % CHECK_GLYPHS.length]!;
  const ascii = digit;
  const fullWidth = String.fromCharCode(digit.charCodeAt(0) - 0x30 + 0xff10);
  const chinese = CHINESE_GLYPHS[digit]!;
  const choices: Record<Script, string[]> = {
    ascii: [ascii],
    'full-width': [fullWidth],
    'mixed-width': [ascii, fullWidth],
    chinese,
    'mixed-chinese': [ascii, fullWidth, ...chinese],
  };
  const options = choices[script];
  return options[pick % options.length]!;
}

/** Separators between groups, as citizens type them; most digits get none. */
export const SEPARATORS = [' ', '  ', '\u3000', '\u00a0', '-', '－', '—', '——', ' - ', '.', '·', '/', '／'];
const gap = fc.oneof({ weight: 5, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(...SEPARATORS) });

/**
 * The digits in one script with random groupings: written solid, or with a random separator
 * (or none) before each digit from `firstCut` on (so an area code can stay in one piece).
 */
export function written(number: string, scripts: readonly Script[], firstCut = 1): fc.Arbitrary<string> {
  const length = number.length;
  return fc
    .record({
      script: fc.constantFrom(...scripts),
      picks: fc.array(fc.nat(), { minLength: length, maxLength: length }),
      gaps: fc.array(gap, { minLength: length, maxLength: length }),
      grouped: fc.boolean(),
    })
    .map(({ script, picks, gaps, grouped }) =>
      [...number]
        .map((digit, index) => (grouped && index >= firstCut ? gaps[index]! : '') + glyph(digit, script, picks[index]!))
        .join(''),
    );
}

export const MOBILE_PREFIXES = ['', '', '', '+86', '+86 ', '+86-', '86-', '86 ', '(+86)', '(+86) ', '（+86）', '＋86', '0086', '0086 ', '0'];

// ===== the text around them

/** Chinese phrases with no character that reads as a digit (no 一, 两, X …), so any digit left in a masked text came from the number. */
export const PHRASES = [
  '您好', '我的电话是', '手机：', '身份证号码', '卡号', '请联系', '谢谢', '麻烦尽快回复', '我在乐平市',
  '律师', '离婚', '工资被拖欠', 'QQ', '微信', '座机', '，', '。', '！', '：', ' ', '\u3000', '老板不给钱',
];
export const sentence = fc.array(fc.constantFrom(...PHRASES), { maxLength: 4 }).map((parts) => parts.join(''));

// ===== numbers that are not personal

const hotline = fc.constantFrom('12348', '110', '120', '119', '122', '12345', '12315', '12338', '12333', '12368');
const year = fc.integer({ min: 1949, max: 2035 });
const month = fc.integer({ min: 1, max: 12 }).map((m) => String(m).padStart(2, '0'));
const day = fc.integer({ min: 1, max: 31 }).map((d) => String(d).padStart(2, '0'));
const date = fc
  .tuple(year, month, day, fc.constantFrom('-', '/', '.'))
  .map(([y, m, d, separator]) => [y, m, d].join(separator));

/** Forms that must come back exactly as written. */
export const untouchedForm = fc.oneof(
  hotline,
  hotline.map((number) => number.replace(/\d/g, (digit) => String.fromCharCode(digit.charCodeAt(0) - 0x30 + 0xff10))),
  year.map((y) => `${y}年`),
  fc.integer({ min: 1, max: 99_999_999 }).map((amount) => `${amount}元`),
  fc.integer({ min: 1_000, max: 99_999_999 }).map((amount) => `${amount.toLocaleString('en-US')}元`),
  fc.tuple(fc.integer({ min: 1, max: 99_999_999 }), digits(2)).map(([amount, cents]) => `${amount}.${cents}元`),
  fc.tuple(fc.integer({ min: 1, max: 9_999 }), digits(1)).map(([whole, tenth]) => `${whole}.${tenth}万元`),
  date,
  fc.tuple(year, month, day).map(([y, m, d]) => `${y}年${Number(m)}月${Number(d)}日`),
  fc.tuple(year, month, day, year, month, day).map(([y1, m1, d1, y2, m2, d2]) => `${y1}.${m1}.${d1}-${y2}.${m2}.${d2}`),
  fc.integer({ min: 1, max: 1_300 }).map((n) => `第${n}条`),
  fc.tuple(fc.constantFrom('(', '（'), year, fc.constantFrom('0281', '0203', '02'), fc.integer({ min: 1, max: 9_999 }))
    .map(([open, y, court, n]) => `${open}${y}${open === '(' ? ')' : '）'}赣${court}民初${n}号`),
  fc.integer({ min: 0, max: 99_999 }).map(String),
  fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${h}:${String(m).padStart(2, '0')}`),
);
/** What sits between those forms in a sentence. */
export const CONNECTORS = ['，', '。', '和', '、', '或', '到', '，请拨打', ' 之前 ', '；', '号码是', '\n'];
