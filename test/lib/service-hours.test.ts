import { describe, expect, it } from 'vitest';
import { parseServiceHours, withinServiceHours, type ServiceHours } from '../../src/lib/service-hours.ts';

const parse = (text: string): ServiceHours => {
  const parsed = parseServiceHours(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.hours;
};

/** A moment in 乐平 (UTC+8), given as local wall-clock time. */
const china = (local: string) => new Date(`${local}+08:00`);

describe('service hours: what counts as open', () => {
  // 2024-05-06 is a Monday; 2024-05-11 a Saturday; 2024-05-12 a Sunday.
  it.each([
    ['周一至周五 08:30-17:30', '2024-05-06T08:29:00', false],
    ['周一至周五 08:30-17:30', '2024-05-06T08:30:00', true],
    ['周一至周五 08:30-17:30', '2024-05-06T17:29:00', true],
    ['周一至周五 08:30-17:30', '2024-05-06T17:30:00', false],
    ['周一至周五 08:30-17:30', '2024-05-11T10:00:00', false],
    ['周一至周五 08:30-12:00,14:30-17:30', '2024-05-06T13:00:00', false],
    ['周一至周五 08:30-12:00,14:30-17:30', '2024-05-06T15:00:00', true],
    ['周一至周五 08:30-17:30；周六 09:00-12:00', '2024-05-11T10:00:00', true],
    ['周一至周五 08:30-17:30；周六 09:00-12:00', '2024-05-12T10:00:00', false],
    ['周六至周一 10:00-11:00', '2024-05-12T10:30:00', true],
    ['周一、周三 10:00-11:00', '2024-05-08T10:30:00', true],
    ['工作日 08：30 至 17：30', '2024-05-07T09:00:00', true],
    ['每天 00:00-24:00', '2024-05-12T23:59:00', true],
    ['关闭', '2024-05-06T10:00:00', false],
  ])('%s at %s → %s', (text, local, open) => {
    expect(withinServiceHours(parse(text), china(local))).toBe(open);
  });

  it('reads the hours in UTC+8 whatever the server clock says: 09:00 in 乐平 is 01:00 UTC', () => {
    expect(withinServiceHours(parse('周一至周五 08:30-17:30'), new Date('2024-05-06T01:00:00Z'))).toBe(true);
    expect(withinServiceHours(parse('周一至周五 08:30-17:30'), new Date('2024-05-06T10:00:00Z'))).toBe(false);
  });

  it('keeps the text as written, to show citizens', () => {
    expect(parse('  周一至周五 08:30-17:30 ').text).toBe('周一至周五 08:30-17:30');
    expect(parse('关闭').windows).toEqual([]);
  });
});

describe('service hours: what is refused, with an example of the right form', () => {
  it.each([
    ['08:30-17:30'],
    ['周八 08:30-17:30'],
    ['周一至周五 17:30-08:30'],
    ['周一至周五 08:30-25:00'],
    ['周一至周五 8点半到5点半'],
    ['周一至周五'],
    ['；'],
  ])('%s', (text) => {
    const parsed = parseServiceHours(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toContain('周一至周五 08:30-17:30');
  });
});
