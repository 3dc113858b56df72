/**
 * Memento datetimes (RFC 7089 §2.1.1): `Accept-Datetime` and `Memento-Datetime` are HTTP dates in the
 * RFC 1123 form, always GMT, such as `Thu, 31 May 2007 20:35:00 GMT`.
 */
const RFC1123 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** A date in the RFC 1123 form Memento uses (second precision; the milliseconds are dropped). */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

/**
 * Parses an `Accept-Datetime` header, or says what is wrong with it. Strict: the RFC 1123 form only, and a
 * real date whose weekday matches (a round trip through the formatter checks both).
 */
export function parseAcceptDatetime(value: string): { date: Date } | { error: string } {
  const trimmed = value.trim();
  const date = new Date(trimmed);
  if (!RFC1123.test(trimmed) || Number.isNaN(date.getTime()) || httpDate(date) !== trimmed) {
    return {
      error: `Accept-Datetime: "${value.slice(0, 60)}" is not an RFC 1123 date in GMT; send e.g. "Thu, 31 May 2007 20:35:00 GMT"`,
    };
  }
  return { date };
}

/**
 * The memento nearest in time to `at` (RFC 7089 leaves "best" to the server; nearest is what archives do).
 * A tie goes to the later capture, the fresher of two equally close copies. `at` undefined: the latest.
 * `mementos` must be oldest first and not empty.
 */
export function nearestMemento<T extends { capturedAt: Date }>(mementos: readonly T[], at?: Date): T {
  if (mementos.length === 0) throw new Error('nearestMemento: no mementos');
  if (at === undefined) return mementos[mementos.length - 1];
  let best = mementos[0];
  for (const memento of mementos) {
    const distance = Math.abs(memento.capturedAt.getTime() - at.getTime());
    if (distance <= Math.abs(best.capturedAt.getTime() - at.getTime())) best = memento;
  }
  return best;
}
