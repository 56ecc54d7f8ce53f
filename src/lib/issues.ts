/**
 * A problem found in data that people edit. `file` and `path` say where, so an admin can go
 * straight to it: `intents/legal_aid.yaml:42 intents[3].examples[7] — 例句不能为空`.
 */
export interface Issue {
  file: string;
  /** Dotted/bracketed path inside the file, e.g. `intents[3].examples[7]`. */
  path: string;
  line?: number;
  /** The field in the editor's words (例句（第 3 条）), for the console's form. */
  field?: string;
  code: string;
  severity: 'error' | 'warning';
  message: string;
}

export function formatIssue(issue: Issue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
  const path = issue.path ? ` ${issue.path}` : '';
  const level = issue.severity === 'error' ? '错误' : '警告';
  return `${level} ${where}${path} — ${issue.message} [${issue.code}]`;
}

export function hasErrors(issues: readonly Issue[]): boolean {
  return issues.some((issue) => issue.severity === 'error');
}
