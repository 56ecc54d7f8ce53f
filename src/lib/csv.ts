/**
 * CSV for people who open it in a spreadsheet. Excel, WPS and LibreOffice run a cell that starts
 * with = + - @ as a formula (=HYPERLINK, =cmd|…), and they skip leading spaces, tabs and carriage
 * returns before deciding, so such a cell gets a leading ' (shown as text, formula never run).
 * A cell that starts with a tab or carriage return is prefixed as well: OWASP lists both as
 * formula starters in some programs, and the ' costs nothing. Every CSV we write goes through
 * here, so the rule lives in one place.
 */

const FORMULA_START = /^[\t\r ]*[=+\-@]|^[\t\r]/;
const NEEDS_QUOTES = /[",\r\n']/;

/** One cell, neutralised, then quoted (RFC 4180) when it holds a quote, comma, newline or ' (so a prefixed cell is always quoted). */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * A whole file: a UTF-8 BOM so Excel reads the Chinese as UTF-8, CRLF line ends as RFC 4180
 * asks, and every cell (header too) through `csvCell`.
 */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return `\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
