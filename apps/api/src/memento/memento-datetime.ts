/**
 * Memento datetimes (RFC 7089 §2.1.1): `Accept-Datetime` and `Memento-Datetime` are HTTP dates in the
 * RFC 1123 form, always GMT, such as `Thu, 31 May 2007 20:35:00 GMT`.
 */
const RFC1123 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS: Record<string, string> = {
  Mon: 'Monday',
  Tue: 'Tuesday',
  Wed: 'Wednesday',
  Thu: 'Thursday',
  Fri: 'Friday',
  Sat: 'Saturday',
  Sun: 'Sunday',
};
const EXAMPLE = 'send e.g. "Thu, 31 May 2007 20:35:00 GMT"';

/** A date in the RFC 1123 form Memento uses (second precision; the milliseconds are dropped). */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

/**
 * Parses an `Accept-Datetime` header, or says what is wrong with it. Strict, as RFC 7089 asks: the RFC 1123
 * form only, a day and time that exist, and the weekday of that date. A wrong weekday is refused rather than
 * guessed past (the date or the weekday may be the mistake); the message names the date's weekday.
 */
export function parseAcceptDatetime(value: string): { date: Date } | { error: string } {
  const trimmed = value.trim();
  const shown = `Accept-Datetime: "${value.slice(0, 60)}"`;
  const match = RFC1123.exec(trimmed);
  if (!match) return { error: `${shown} is not an RFC 1123 date in GMT; ${EXAMPLE}` };
  const [, weekday, dd, mon, yyyy, hh, mm, ss] = match;
  const [day, month, hours, minutes, seconds] = [
    Number(dd),
    MONTHS.indexOf(mon),
    Number(hh),
    Number(mm),
    Number(ss),
  ];
  const date = new Date(0);
  date.setUTCFullYear(Number(yyyy), month, day);
  date.setUTCHours(hours, minutes, seconds, 0);
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month || hours > 23 || minutes > 59 || seconds > 59)
    return {
      error: `${shown}: ${dd} ${mon} ${yyyy} ${hh}:${mm}:${ss} is not a day and time that exist; ${EXAMPLE}`,
    };
  const formatted = httpDate(date);
  const actual = formatted.slice(0, 3);
  if (actual !== weekday)
    return {
      error: `${shown}: the weekday does not match the date (${dd} ${mon} ${yyyy} is a ${WEEKDAYS[actual]}, not a ${WEEKDAYS[weekday]}); send "${formatted}"`,
    };
  if (formatted !== trimmed) return { error: `${shown} is not an RFC 1123 date in GMT; ${EXAMPLE}` };
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
