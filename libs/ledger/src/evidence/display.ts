/**
 * Untrusted text shown in a verifier's report: a record's words, an account name, a bundle's `logKey`. Whoever
 * made the bundle chose them, so nothing in them may pass for a line of the report: line breaks, terminal escapes
 * and the controls that reorder or hide what a screen shows are written as `\uXXXX`, never as themselves.
 */

/**
 * C0 and C1 controls and DEL; the Arabic letter mark, the directional marks, embeddings, overrides and isolates
 * (they reorder what a screen shows); the line and paragraph separators; and the invisible zero width space, word
 * joiner and its kin, and byte-order mark. Joiners (U+200C, U+200D) stay: scripts and emoji need them.
 */
const HIDDEN_CHARACTERS =
  '\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff';
const HIDDEN = new RegExp(`[${HIDDEN_CHARACTERS}]`, 'g');
const HAS_HIDDEN = new RegExp(`[${HIDDEN_CHARACTERS}]`);

function escapeOne(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** `text` with every hidden or line-breaking character written as `\uXXXX`. */
export function escapeHidden(text: string): string {
  return text.replace(HIDDEN, escapeOne);
}

/** `text` as a JSON string literal, with the characters JSON leaves as they are but a screen hides escaped too. */
export function quoted(text: string): string {
  return escapeHidden(JSON.stringify(text));
}

/** `text` as it is when it has nothing hidden and no space at its ends (a URL, a handle, a time); else quoted. */
export function shown(text: string): string {
  const plain = text !== '' && text.trim() === text && !HAS_HIDDEN.test(text);
  return plain ? text : quoted(text);
}

/** A text's length in characters (Unicode code points, as a reader counts them, not UTF-16 units). */
export function characterCount(text: string): number {
  let count = 0;
  for (const _char of text) count++;
  return count;
}

/** The first `max` characters (code points) of `text`, never splitting a surrogate pair. */
export function firstCharacters(text: string, max: number): string {
  let out = '';
  let count = 0;
  for (const char of text) {
    if (count === max) break;
    out += char;
    count++;
  }
  return out;
}

/** Formats an integer with thousands separators, whatever the locale: 12345 → "12,345". */
export function grouped(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
