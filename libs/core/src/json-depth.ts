/**
 * Whether a JSON text nests arrays and objects more than `limit` deep, in one pass and constant memory: brackets
 * inside strings (and escaped quotes) do not count. It stops counting once `limit` is exceeded, so a hostile
 * text costs no more than reading it. Malformed JSON is left for the parser to refuse; up to its first fault,
 * where JSON.parse stops too, the count is exact.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) depth--;
  }
  return false;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** A JSON text read with a bound on its nesting: its value, or why it was refused. */
export type BoundedJson = { kind: 'value'; value: unknown } | { kind: 'too-deep' } | { kind: 'not-json' };

/**
 * JSON.parse, after the nesting is read off the text: deeper than `maxDepth` is refused unparsed, since
 * JSON.parse reads deep nesting about a hundred times slower than flat data of the same size.
 */
export function parseBoundedJson(text: string, maxDepth: number): BoundedJson {
  if (jsonDepthExceeds(text, maxDepth)) return { kind: 'too-deep' };
  try {
    return { kind: 'value', value: JSON.parse(text) };
  } catch {
    return { kind: 'not-json' };
  }
}
