/**
 * A range of whole local days, as staff pick it in the console ("5月1日到5月7日"). Pure.
 *
 * Staff think in the city's days, the store in UTC instants: a message at 07:30 Beijing time is
 * still the previous day in UTC. So a range carries the browser's offset from UTC, and every
 * report turns it into instants (to read the store) and buckets by local day (to chart it).
 */

export interface DateRange {
  /** First day, `YYYY-MM-DD`, inclusive. */
  from: string;
  /** Last day, `YYYY-MM-DD`, inclusive. */
  to: string;
  /** Minutes east of UTC (Beijing: 480). */
  offsetMinutes: number;
}

export type ParsedRange = { ok: true; range: DateRange } | { ok: false; error: string };

/** The longest range a report reads: a year of days is plenty and keeps a chart's days bounded. */
export const MAX_RANGE_DAYS = 366;
export const DEFAULT_RANGE_DAYS = 7;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** The local day of an instant. */
export function localDay(at: string | Date, offsetMinutes: number): string {
  const time = typeof at === 'string' ? Date.parse(at) : at.getTime();
  return new Date(time + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** The instants to read: from the first day's local midnight to the midnight after the last day. */
export function rangeInstants(range: DateRange): { since: Date; until: Date } {
  const shift = range.offsetMinutes * 60_000;
  return {
    since: new Date(Date.parse(`${range.from}T00:00:00Z`) - shift),
    until: new Date(Date.parse(`${range.to}T00:00:00Z`) + DAY_MS - shift),
  };
}

/** Every day of the range, in order. */
export function daysOf(range: DateRange): string[] {
  const days: string[] = [];
  for (let time = Date.parse(`${range.from}T00:00:00Z`); time <= Date.parse(`${range.to}T00:00:00Z`); time += DAY_MS) {
    days.push(new Date(time).toISOString().slice(0, 10));
  }
  return days;
}

/** `YYYY-MM-DD` naming a day that exists (not 2024-02-30, not month 13). */
function isRealDay(day: string): boolean {
  const time = Date.parse(`${day}T00:00:00Z`);
  return DAY.test(day) && !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === day;
}

/**
 * Reads `from`, `to` and `tz` (minutes east of UTC) from a query. Missing days default to the last
 * seven local days up to today; a bad value is an error in Chinese that names it.
 */
export function parseDateRange(query: { from?: string; to?: string; tz?: string }, now: Date): ParsedRange {
  const offsetMinutes = query.tz === undefined || query.tz === '' ? 0 : Number(query.tz);
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) > 14 * 60) return { ok: false, error: '时区参数有误' };
  const today = localDay(now, offsetMinutes);
  const to = query.to || today;
  const from = query.from || new Date(Date.parse(`${to}T00:00:00Z`) - (DEFAULT_RANGE_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
  if (!isRealDay(from) || !isRealDay(to)) return { ok: false, error: '日期格式应为 年-月-日，如 2024-05-01' };
  if (from > to) return { ok: false, error: '开始日期不能晚于结束日期' };
  // Counted, not listed: a typo like 1024-05-01 must not build a thousand years of days.
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
  if (days > MAX_RANGE_DAYS) return { ok: false, error: `日期范围最长 ${MAX_RANGE_DAYS} 天` };
  return { ok: true, range: { from, to, offsetMinutes } };
}
