/**
 * When staff answer online handoffs (HANDOFF_HOURS), written the way an office writes it on its
 * door: `周一至周五 08:30-17:30`, several parts split by semicolons
 * (`周一至周五 08:30-12:00,14:30-17:30；周六 09:00-12:00`), or `关闭` for no online handoff.
 * Pure: config.ts parses it once at start-up, the handoff desk asks `withinServiceHours`.
 *
 * Read in China Standard Time (UTC+8, no daylight saving) whatever the server's own time zone
 * is: 乐平市's office hours do not move when the container runs in UTC.
 */

export interface ServiceWindow {
  /** 0 = Sunday … 6 = Saturday. */
  days: number[];
  /** Minutes after midnight; `to` may be 1440 (24:00). */
  from: number;
  to: number;
}

export interface ServiceHours {
  /** As configured (trimmed), for citizens and staff to read. */
  text: string;
  /** Empty: online handoff is switched off. */
  windows: ServiceWindow[];
}

export type ParsedHours = { ok: true; hours: ServiceHours } | { ok: false; problem: string };

const OFF = new Set(['关闭', '不开通', '无', 'off', 'none']);
const DAY_NUMBER: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 0, 天: 0 };
const DAY = /^(?:周|星期|礼拜)?([一二三四五六日天])$/;
const RANGE_MARK = /\s*(?:至|到|~|～|-|－|—|–)\s*/;
const TIME = /^(\d{1,2})[:：](\d{2})$/;
const CHINA_OFFSET_MS = 8 * 60 * 60_000;

export const HOURS_EXAMPLE = '应写成“周一至周五 08:30-17:30”；多段用分号隔开，如“周一至周五 08:30-12:00,14:30-17:30；周六 09:00-12:00”；不开通在线人工写“关闭”';

export function parseServiceHours(raw: string): ParsedHours {
  const text = raw.trim();
  if (OFF.has(text.toLowerCase())) return { ok: true, hours: { text, windows: [] } };
  const windows: ServiceWindow[] = [];
  for (const part of text.split(/[;；\n]/).map((item) => item.trim()).filter(Boolean)) {
    const firstDigit = part.search(/\d/);
    const days = firstDigit > 0 ? parseDays(part.slice(0, firstDigit).trim()) : undefined;
    const times = firstDigit > 0 ? parseTimes(part.slice(firstDigit)) : undefined;
    if (!days || !times) return { ok: false, problem: `无法识别“${part}”：${HOURS_EXAMPLE}` };
    for (const time of times) windows.push({ days, ...time });
  }
  if (windows.length === 0) return { ok: false, problem: `没有写任何时间段：${HOURS_EXAMPLE}` };
  return { ok: true, hours: { text, windows } };
}

/** 每天 | 工作日 | 周一至周五 | 周一、周三 | 周六 | 周六至周一 (wraps past Sunday). */
function parseDays(text: string): number[] | undefined {
  if (text === '每天' || text === '每日') return [0, 1, 2, 3, 4, 5, 6];
  if (text === '工作日') return [1, 2, 3, 4, 5];
  const days = new Set<number>();
  for (const item of text.split(/[、,，\s]+/).filter(Boolean)) {
    const [first, last, extra] = item.split(RANGE_MARK);
    const from = dayOf(first);
    const to = last === undefined ? from : dayOf(last);
    if (from === undefined || to === undefined || extra !== undefined) return undefined;
    for (let day = from; ; day = (day + 1) % 7) {
      days.add(day);
      if (day === to) break;
    }
  }
  return days.size > 0 ? [...days].sort() : undefined;
}

function dayOf(text: string | undefined): number | undefined {
  const match = DAY.exec(text ?? '');
  return match ? DAY_NUMBER[match[1]!] : undefined;
}

/** `08:30-12:00,14:30-17:30` (also full-width colons, 至/到/~ between, 、，or spaces between ranges). */
function parseTimes(text: string): { from: number; to: number }[] | undefined {
  const ranges = text.split(/\s*[,，、]\s*|\s+(?=\d{1,2}[:：]\d{2}\s*(?:至|到|~|～|-|－|—|–))/).filter(Boolean);
  const result: { from: number; to: number }[] = [];
  for (const range of ranges) {
    const [start, end, extra] = range.trim().split(RANGE_MARK);
    const from = minutesOf(start);
    const to = minutesOf(end);
    if (from === undefined || to === undefined || extra !== undefined || from >= to) return undefined;
    result.push({ from, to });
  }
  return result.length > 0 ? result : undefined;
}

function minutesOf(text: string | undefined): number | undefined {
  const match = TIME.exec(text ?? '');
  if (!match) return undefined;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (minutes > 59 || hours > 24 || (hours === 24 && minutes > 0)) return undefined;
  return hours * 60 + minutes;
}

/** Whether `at` falls in one of the windows, read in UTC+8. */
export function withinServiceHours(hours: ServiceHours, at: Date): boolean {
  const local = new Date(at.getTime() + CHINA_OFFSET_MS);
  const day = local.getUTCDay();
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  return hours.windows.some((window) => window.days.includes(day) && minute >= window.from && minute < window.to);
}
