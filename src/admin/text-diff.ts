/**
 * A line diff for the publish preview, so an admin reads what an edit really changes in an
 * intent or fact before it goes live. Pure.
 */

export interface DiffLine {
  op: 'same' | 'add' | 'remove';
  text: string;
}

/** Beyond this many cells the table would cost more than the preview is worth: show all as replaced. */
const MAX_CELLS = 4_000_000;

/** Longest-common-subsequence diff of two lists of lines, removals before additions in each run. */
export function diffLines(before: readonly string[], after: readonly string[]): DiffLine[] {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start += 1;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore -= 1;
    endAfter -= 1;
  }
  const head = before.slice(0, start).map((text): DiffLine => ({ op: 'same', text }));
  const tail = before.slice(endBefore).map((text): DiffLine => ({ op: 'same', text }));
  const a = before.slice(start, endBefore);
  const b = after.slice(start, endAfter);
  return [...head, ...middle(a, b), ...tail];
}

function middle(a: readonly string[], b: readonly string[]): DiffLine[] {
  const removed = a.map((text): DiffLine => ({ op: 'remove', text }));
  const added = b.map((text): DiffLine => ({ op: 'add', text }));
  if (a.length === 0 || b.length === 0 || a.length * b.length > MAX_CELLS) return [...removed, ...added];
  // lengths[i][j]: LCS length of a[i..] and b[j..], in one flat array.
  const width = b.length + 1;
  const lengths = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lengths[i * width + j] = a[i] === b[j]
        ? lengths[(i + 1) * width + j + 1]! + 1
        : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      lines.push({ op: 'same', text: a[i]! });
      i += 1;
      j += 1;
    } else if (lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!) {
      lines.push({ op: 'remove', text: a[i]! });
      i += 1;
    } else {
      lines.push({ op: 'add', text: b[j]! });
      j += 1;
    }
  }
  while (i < a.length) lines.push({ op: 'remove', text: a[i++]! });
  while (j < b.length) lines.push({ op: 'add', text: b[j++]! });
  return lines;
}

/**
 * An intent or fact as YAML-like lines: one example, keyword or fact id a line, so adding one
 * shows as exactly one added line (JSON's trailing commas would also change the line before).
 */
export function itemLines(item: unknown, indent = ''): string[] {
  if (item === null || typeof item !== 'object') return [`${indent}${scalar(item)}`];
  const lines: string[] = [];
  for (const [key, value] of Object.entries(item as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length === 0) lines.push(`${indent}${key}: []`);
      else {
        lines.push(`${indent}${key}:`);
        for (const entry of value) {
          const [first, ...rest] = itemLines(entry, `${indent}    `);
          lines.push(`${indent}  - ${first!.trimStart()}`, ...rest);
        }
      }
    } else if (value !== null && typeof value === 'object') {
      lines.push(`${indent}${key}:`, ...itemLines(value, `${indent}  `));
    } else if (typeof value === 'string' && value.includes('\n')) {
      lines.push(`${indent}${key}: |`, ...value.split('\n').map((line) => `${indent}  ${line}`));
    } else {
      lines.push(`${indent}${key}: ${scalar(value)}`);
    }
  }
  return lines;
}

function scalar(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
