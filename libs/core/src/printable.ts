/**
 * Control characters other than tab and line breaks, and unpaired surrogates. PostgreSQL refuses NUL in text
 * and UTF-8 cannot hold a lone surrogate, so a message quoting what a source sent must not carry them into a
 * row. (Line breaks are kept: the logs are JSON lines, where they are escaped.)
 */
const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The longest message kept: enough for any reason we write, short enough for a status column and a log line. */
export const MAX_MESSAGE_CHARS = 2000;

/**
 * `text` safe to store and show: cut at `maxChars` characters (with an ellipsis), then each control character
 * or lone surrogate written as a `\uXXXX` escape (so the result is at most six times `maxChars`). One linear
 * pass; plain text comes back as it is.
 */
export function printable(text: string, maxChars = MAX_MESSAGE_CHARS): string {
  const cut = text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
  return cut.replace(UNPRINTABLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
