import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { Issue } from '../lib/issues.ts';

/**
 * Line numbers for issues that know only a file and a path (`intents[3].examples[7]`): the
 * cross-file lint runs on parsed data and the JSON fact files were parsed without positions.
 * The README promises `file:line` for every problem, so the file is parsed again, keeping
 * positions, only when an issue needs it. JSON is YAML 1.2 flow syntax, so the `yaml` package's
 * positions serve both.
 */

export interface PositionedText {
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

export function parseWithPositions(text: string): PositionedText {
  const lineCounter = new LineCounter();
  // uniqueKeys off: JSON allows a repeated key and the loader has already judged the file.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  return { doc, lineCounter };
}

/** `intents[3].examples[7]` → ['intents', 3, 'examples', 7]; `steps.ask.choices[0]` → ['steps', 'ask', 'choices', 0]. */
export function parsePath(path: string): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[([^\]]*)\]/g)) {
    if (match[1] !== undefined) parts.push(match[1]);
    else if (match[2] !== undefined) parts.push(/^\d+$/.test(match[2]) ? Number(match[2]) : match[2]);
  }
  return parts;
}

/** Line of the node at `path`, or of its nearest ancestor present in the file (a missing key sits under its parent). */
export function lineOf({ doc, lineCounter }: PositionedText, path: readonly (string | number)[]): number | undefined {
  for (let length = path.length; length >= 0; length -= 1) {
    const node = length === 0 ? doc.contents : doc.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

/** First line the `yaml` parser finds wrong: for a JSON file whose parser message has no position. */
export function firstErrorLine(text: string): number | undefined {
  return parseWithPositions(text).doc.errors[0]?.linePos?.[0]?.line;
}

/**
 * Fills in `line` (and the real file name) for issues without one. `locate` maps an issue's
 * file to the file on disk and the name to show, or undefined to leave the issue as it is.
 * Each file is read once, whatever the number of its issues.
 */
export async function addSourceLines(
  issues: readonly Issue[],
  locate: (file: string) => { path: string; shown: string } | undefined,
): Promise<Issue[]> {
  const parsed = new Map<string, Promise<PositionedText | undefined>>();
  const open = (path: string) => {
    let entry = parsed.get(path);
    if (!entry) {
      entry = readFile(path, 'utf8').then(parseWithPositions, () => undefined); // unreadable: no line to add
      parsed.set(path, entry);
    }
    return entry;
  };
  return Promise.all(
    issues.map(async (issue) => {
      if (issue.line !== undefined) return issue;
      const located = locate(issue.file);
      if (!located) return issue;
      const text = await open(located.path);
      const line = text ? lineOf(text, parsePath(issue.path)) : undefined;
      return line === undefined ? issue : { ...issue, file: located.shown, line };
    }),
  );
}

/**
 * Where a lint issue's file really is: lint names files as in the repository (`intents/x.yaml`,
 * `data/facts/x.json`), which differ from INTENTS_DIR/DATA_DIR when those are set elsewhere.
 */
export function knowledgeFileLocator(paths: { intentsDir: string; dataDir: string }) {
  return (file: string) => {
    const real = file.startsWith('intents/')
      ? join(paths.intentsDir, file.slice('intents/'.length))
      : file.startsWith('data/')
        ? join(paths.dataDir, file.slice('data/'.length))
        : file;
    return { path: real, shown: relative(process.cwd(), real) || real };
  };
}
