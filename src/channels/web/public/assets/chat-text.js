// Pure text rules of the citizen chat (no DOM): which runs of a reply are phone numbers, and
// where a long answer is folded. chat.js builds the page from these; the browser test calls
// them directly as a table.

/**
 * Phone numbers a reply may name: the 3-digit emergency numbers, the 123xx government
 * hotlines (12309, 12315, 12345, 12348…) and landlines with an area code (0798-1234567). Not a
 * run inside a longer number ("110400"), an article ("第110条") or a count ("12345件").
 */
const PHONE = /(?<![\d第])(?:0\d{2,3}[-－]?\d{7,8}|1(?:10|19|20|22)|123\d\d)(?!\d|\.\d|[条款项元万亿年月日号人次件个天岁%％])/g;

/** The text cut into `{ text }` and `{ text, tel }` pieces, in order; `tel` holds digits only. */
export function phoneSegments(text) {
  const pieces = [];
  let at = 0;
  for (const match of text.matchAll(PHONE)) {
    if (match.index > at) pieces.push({ text: text.slice(at, match.index) });
    pieces.push({ text: match[0], tel: match[0].replace(/\D/g, '') });
    at = match.index + match[0].length;
  }
  if (at < text.length) pieces.push({ text: text.slice(at) });
  return pieces;
}

/** Distinct numbers in order of first mention: the big call buttons under an emergency reply. */
export function phoneNumbers(text) {
  return [...new Set(phoneSegments(text).flatMap((piece) => piece.tel ?? []))];
}

/** How the engine starts the line citing its sources (messages.sourcesPrefix). */
export const SOURCE_PREFIX = '来源：';

// An answer longer than this is folded to its first lines; shorter ones are shown whole, since
// a button to save a few lines costs more than it saves.
const FOLD_OVER = 160;
// About what fits in four or five lines on a phone: the first paragraph normally fits, and the
// facts are written to lead with what to do, so the head is the most useful part.
const HEAD_CHARS = 120;
// Folding away less than a line is pointless.
const MIN_REST = 30;
const SENTENCE_END = /[。！？；]/g;

/**
 * A reply's text as paragraphs, its 来源 line apart (shown small, never folded), and where the
 * fold falls: paragraphs before `fold.paragraph` are shown, that paragraph's first `fold.chars`
 * characters too, the rest waits behind 展开全文. `fold` is null when everything is shown.
 */
export function splitReply(text, { foldable = true } = {}) {
  const paragraphs = text.split('\n').map((line) => line.trim()).filter(Boolean);
  const source = paragraphs.at(-1)?.startsWith(SOURCE_PREFIX) ? paragraphs.pop() : null;
  return { paragraphs, source, fold: foldable ? foldPoint(paragraphs) : null };
}

function foldPoint(paragraphs) {
  const total = paragraphs.reduce((sum, p) => sum + p.length, 0);
  if (total <= FOLD_OVER || paragraphs.length === 0) return null;
  let shown = 0;
  for (let index = 0; index < paragraphs.length; index += 1) {
    const length = paragraphs[index].length;
    // Whole paragraphs while they fit; the first one even a little over (cutting its last
    // sentence off would hide the point it makes).
    if (shown + length <= HEAD_CHARS || (index === 0 && length <= FOLD_OVER)) {
      shown += length;
      continue;
    }
    if (index > 0) return worthFolding(total - shown, { paragraph: index, chars: 0 });
    const chars = sentenceCut(paragraphs[0]);
    return worthFolding(total - chars, { paragraph: 0, chars });
  }
  return null;
}

/**
 * The end of the last whole sentence within HEAD_CHARS, else of the first one after it, else
 * the last comma within HEAD_CHARS (never inside a number, so a phone number is never cut).
 */
function sentenceCut(paragraph) {
  const ends = (pattern) => [...paragraph.matchAll(pattern)].map((match) => match.index + 1).filter((end) => end < paragraph.length);
  const sentences = ends(SENTENCE_END);
  return sentences.filter((end) => end <= HEAD_CHARS).at(-1) ?? sentences[0] ?? ends(/[，、]/g).filter((end) => end <= HEAD_CHARS).at(-1) ?? HEAD_CHARS;
}

function worthFolding(rest, fold) {
  return rest >= MIN_REST ? fold : null;
}
