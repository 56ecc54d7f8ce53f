import { percentile, round, throughputByQuarter } from './stats.ts';

/** What both load drivers report, computed the same way. */

/** How long a person waits for an answer before it counts as lost. */
export const REPLY_TIMEOUT_MS = 30_000;

export interface ChannelLoad {
  users: number;
  messagesPerUser: number;
  /** Steps that should get an answer (a message, or the 👍 toast) and those that got it. */
  expected: number;
  received: number;
  lost: number;
  duplicated: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Answers per second in each quarter of the run. */
  throughputByQuarter: number[];
  seconds: number;
  examples: string[];
}

export function summarise(
  users: number,
  messagesPerUser: number,
  expected: number,
  received: number,
  duplicated: number,
  latencies: number[],
  doneAt: number[],
  started: number,
  ended: number,
  examples: string[],
): ChannelLoad {
  return {
    users,
    messagesPerUser,
    expected,
    received,
    lost: expected - received,
    duplicated,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(Math.max(0, ...latencies)),
    throughputByQuarter: throughputByQuarter(doneAt, started, ended),
    seconds: round((ended - started) / 1000),
    examples,
  };
}
