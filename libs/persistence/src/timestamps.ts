import { types, type CustomTypesConfig } from 'pg';

const parseTimestamptzSlowly = types.getTypeParser(types.builtins.TIMESTAMPTZ, 'text') as (
  text: string,
) => unknown;

const ZERO = 48;
const digit = (text: string, at: number): number => {
  const d = text.charCodeAt(at) - ZERO;
  return d >= 0 && d <= 9 ? d : NaN;
};
const twoDigits = (text: string, at: number): number => digit(text, at) * 10 + digit(text, at + 1);

/**
 * A timestamptz as PostgreSQL writes it in a UTC session (`2022-02-27 08:33:10.123456+00`), read without the
 * two regular expressions of pg's own parser (postgres-date): a page of 50 statements holds 150 of them, and
 * their parse was a fifth of what a search request allocated. Anything else (another zone, a year before 1000,
 * BC, infinity) goes to pg's parser, so the result is always what pg would give, to the millisecond.
 */
export function parseTimestamptz(text: string): unknown {
  // fixed positions: YYYY-MM-DD HH:MM:SS, then an optional fraction, then +00
  const end = text.length - 3;
  if (
    end < 19 ||
    text.charCodeAt(end) !== 43 ||
    text.charCodeAt(end + 1) !== ZERO ||
    text.charCodeAt(end + 2) !== ZERO
  )
    return parseTimestamptzSlowly(text);
  let millis = 0;
  if (end > 19) {
    // a fraction of 1 to 6 digits: its first three are the milliseconds (pg truncates the rest, as Date does)
    if (text.charCodeAt(19) !== 46 || end - 20 < 1 || end - 20 > 6) return parseTimestamptzSlowly(text);
    for (let at = 20; at < 23; at++) millis = millis * 10 + (at < end ? digit(text, at) : 0);
    for (let at = 23; at < end; at++) if (Number.isNaN(digit(text, at))) return parseTimestamptzSlowly(text);
  }
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  const time = Date.UTC(
    year,
    twoDigits(text, 5) - 1,
    twoDigits(text, 8),
    twoDigits(text, 11),
    twoDigits(text, 14),
    twoDigits(text, 17),
    millis,
  );
  const separated =
    text.charCodeAt(4) === 45 &&
    text.charCodeAt(7) === 45 &&
    text.charCodeAt(10) === 32 &&
    text.charCodeAt(13) === 58 &&
    text.charCodeAt(16) === 58;
  // years 0-99 would be read as 1900-1999 by Date.UTC
  if (!separated || Number.isNaN(time) || year < 1000) return parseTimestamptzSlowly(text);
  return new Date(time);
}

/** pg's type parsers, with timestamptz read by parseTimestamptz: given to the pool as its `types`. */
export const PG_TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === types.builtins.TIMESTAMPTZ && format !== 'binary'
      ? parseTimestamptz
      : types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};
