/** What a status or account id may look like: Mastodon sends decimal snowflakes as strings. */
export const MASTODON_ID = /^[0-9A-Za-z]{1,64}$/;
const DECIMAL = /^[0-9]+$/;

/**
 * Orders two ids. Snowflakes outgrow JS numbers (2^53) and strings of different lengths do not sort
 * lexically ("9" > "10"), so decimal ids are compared as big integers; anything else by length, then text.
 */
export function compareIds(a: string, b: string): number {
  if (DECIMAL.test(a) && DECIMAL.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The newest of some ids, or null when there are none. */
export function newestId(ids: Iterable<string>): string | null {
  let newest: string | null = null;
  for (const id of ids) if (newest === null || compareIds(id, newest) > 0) newest = id;
  return newest;
}
