import { X_ID } from './x-urls';

export { X_ID };

/** X's snowflake epoch: ids carry their creation time (ms since it) above their low 22 bits. */
const X_EPOCH_MS = 1288834974657n;
/** Snowflakes began on 4 November 2010: smaller ids are older sequential ones and carry no time. */
const FIRST_SNOWFLAKE = 29700859247n;

/** Ids compare as integers (kept as strings: they pass 2^53). */
export function compareXIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function newestXId(ids: string[]): string | null {
  return ids.reduce<string | null>(
    (best, id) => (best === null || compareXIds(id, best) > 0 ? id : best),
    null,
  );
}

/** The creation time a snowflake id carries, RFC 3339 UTC; null for ids too old or too large to carry one. */
export function snowflakeTime(id: string): string | null {
  if (!X_ID.test(id)) return null;
  const value = BigInt(id);
  if (value < FIRST_SNOWFLAKE) return null;
  const ms = Number((value >> 22n) + X_EPOCH_MS);
  return ms > Date.now() + 86_400_000 ? null : new Date(ms).toISOString();
}
