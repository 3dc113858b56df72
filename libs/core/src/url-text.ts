/** A C0 control character or DEL: no URL as written holds one, and PostgreSQL's text cannot hold NUL. */
function isControl(code: number): boolean {
  return code < 0x20 || code === 0x7f;
}

/** The longest URL we keep, in the API and the CLI alike. */
export const MAX_URL_CHARS = 2048;

/**
 * What an article's URL must be, as validator's `isURL` options (class-validator's `IsUrl` and `isURL`): http or
 * https, the scheme written, any host (a newsroom's intranet name has no TLD). The API's `sourceUrl` and the CLI's
 * `--source-url` check with these same options.
 */
export function httpUrlOptions(): { protocols: string[]; require_protocol: boolean; require_tld: boolean } {
  return { protocols: ['http', 'https'], require_protocol: true, require_tld: false };
}

/**
 * `text` without the C0 controls, DEL and spaces around it: a URL parser drops the controls and spaces too (WHATWG
 * URL), and DEL is no more a part of a URL. A URL pasted with its line break still works.
 */
export function trimUrlText(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (isControl(text.charCodeAt(start)) || text.charCodeAt(start) === 0x20)) start++;
  while (end > start && (isControl(text.charCodeAt(end - 1)) || text.charCodeAt(end - 1) === 0x20)) end--;
  return text.slice(start, end);
}

/** Where the first C0 control character or DEL of `text` is, or -1 when it has none. */
export function firstControlCharacter(text: string): number {
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) return i;
  return -1;
}

/** Whether `text` holds a C0 control character or DEL anywhere. */
export function hasControlCharacter(text: string): boolean {
  return firstControlCharacter(text) >= 0;
}
