import { types } from 'pg';
import { seededRandom } from '@app/testing/seeded-random';
import { parseTimestamptz, PG_TYPES } from './timestamps';

const pgParse = types.getTypeParser(types.builtins.TIMESTAMPTZ, 'text') as (text: string) => unknown;
const time = (value: unknown) => (value instanceof Date ? value.getTime() : value);

/** An instant as PostgreSQL writes a timestamptz in a UTC session, with `fractionDigits` of its microseconds. */
function pgText(ms: number, micros: number, fractionDigits: number): string {
  const iso = new Date(ms).toISOString(); // 2022-02-27T08:33:10.123Z
  const fraction = `${iso.slice(20, 23)}${String(micros).padStart(3, '0')}`.slice(0, fractionDigits);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fractionDigits ? `.${fraction}` : ''}+00`;
}

describe('parseTimestamptz', () => {
  it("reads what a UTC session writes exactly as pg's own parser does", () => {
    const random = seededRandom(1184);
    const earliest = Date.UTC(1000, 0, 1);
    const latest = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    for (let i = 0; i < 20_000; i++) {
      const ms = Math.floor(earliest + random() * (latest - earliest));
      const text = pgText(ms, Math.floor(random() * 1000), Math.floor(random() * 7));
      expect([text, time(parseTimestamptz(text))]).toEqual([text, time(pgParse(text))]);
    }
    expect(time(parseTimestamptz('2022-02-27 08:33:10+00'))).toBe(Date.UTC(2022, 1, 27, 8, 33, 10));
    expect(time(parseTimestamptz('2022-02-27 08:33:10.999999+00'))).toBe(
      Date.UTC(2022, 1, 27, 8, 33, 10, 999),
    );
  });

  it.each([
    ['another zone', '2022-02-27 10:33:10.5+02'],
    ['a zone with minutes', '2022-02-27 03:03:10-05:30'],
    ['a year before 1000', '0099-02-27 08:33:10+00'],
    ['BC', '0044-03-15 12:00:00+00 BC'],
    ['infinity', 'infinity'],
    ['minus infinity', '-infinity'],
    ['not digits', '2022-0x-27 08:33:10+00'],
    ['a fraction of seven digits', '2022-02-27 08:33:10.1234567+00'],
    ['a dot without digits', '2022-02-27 08:33:10.+00'],
  ])("leaves %s to pg's parser", (_case, text) => {
    expect(time(parseTimestamptz(text))).toEqual(time(pgParse(text)));
  });

  it('is what the pool reads timestamptz with, and leaves every other type to pg', () => {
    expect(PG_TYPES.getTypeParser(types.builtins.TIMESTAMPTZ, 'text')).toBe(parseTimestamptz);
    expect(PG_TYPES.getTypeParser(types.builtins.INT8, 'text')).toBe(
      types.getTypeParser(types.builtins.INT8, 'text'),
    );
    expect(PG_TYPES.getTypeParser(types.builtins.TIMESTAMP, 'text')).toBe(
      types.getTypeParser(types.builtins.TIMESTAMP, 'text'),
    );
  });
});
