import type { Context } from 'hono';
import { parseDateRange, type DateRange } from '../../../admin/date-range.ts';
import { badRequest } from '../errors.ts';

/** Query-string readers shared by the report pages (对话记录, 看板). A bad value is a 400 in Chinese. */

/** `from`, `to` (local days) and `tz` (minutes east of UTC); the last seven days when absent. */
export function dateRangeOf(c: Context, now: Date): DateRange {
  const parsed = parseDateRange({ from: c.req.query('from'), to: c.req.query('to'), tz: c.req.query('tz') }, now);
  return parsed.ok ? parsed.range : badRequest(parsed.error);
}

/** A positive whole number, or the default when absent. */
export function positiveOf(value: string | undefined, fallback: number, message: string): number {
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  return Number.isInteger(number) && number >= 1 ? number : badRequest(message);
}

/** One of `allowed`, or undefined when absent (an empty select means "all"). */
export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], message: string): T | undefined {
  if (value === undefined || value === '') return undefined;
  return (allowed as readonly string[]).includes(value) ? (value as T) : badRequest(message);
}
