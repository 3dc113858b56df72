import { httpDate, nearestMemento, parseAcceptDatetime } from './memento-datetime';

const at = (iso: string) => new Date(iso);
const mementos = [
  { version: 1, capturedAt: at('2026-03-01T10:00:00Z') },
  { version: 2, capturedAt: at('2026-03-01T12:00:00Z') },
  { version: 3, capturedAt: at('2026-03-05T00:00:00Z') },
];

describe('nearestMemento', () => {
  it('gives the latest capture when no datetime is asked for', () => {
    expect(nearestMemento(mementos).version).toBe(3);
  });

  it('gives the first capture for a datetime before every capture', () => {
    expect(nearestMemento(mementos, at('2020-01-01T00:00:00Z')).version).toBe(1);
  });

  it('gives the last capture for a datetime after every capture', () => {
    expect(nearestMemento(mementos, at('2030-01-01T00:00:00Z')).version).toBe(3);
  });

  it('gives the nearer of the two captures around a datetime, on either side', () => {
    expect(nearestMemento(mementos, at('2026-03-01T10:59:59Z')).version).toBe(1);
    expect(nearestMemento(mementos, at('2026-03-01T11:00:01Z')).version).toBe(2);
    expect(nearestMemento(mementos, at('2026-03-03T05:59:59Z')).version).toBe(2);
    expect(nearestMemento(mementos, at('2026-03-03T06:00:01Z')).version).toBe(3);
  });

  it('gives an exact match, and the later capture on a tie', () => {
    expect(nearestMemento(mementos, at('2026-03-01T12:00:00Z')).version).toBe(2);
    expect(nearestMemento(mementos, at('2026-03-01T11:00:00Z')).version).toBe(2);
    const same = [
      { version: 1, capturedAt: at('2026-03-01T10:00:00Z') },
      { version: 2, capturedAt: at('2026-03-01T10:00:00Z') },
    ];
    expect(nearestMemento(same, at('2026-01-01T00:00:00Z')).version).toBe(2);
  });

  it('refuses an empty list', () => {
    expect(() => nearestMemento([], at('2026-01-01T00:00:00Z'))).toThrow('no mementos');
  });
});

describe('Accept-Datetime', () => {
  it('reads an RFC 1123 date in GMT', () => {
    expect(parseAcceptDatetime('Thu, 31 May 2007 20:35:00 GMT')).toEqual({
      date: at('2007-05-31T20:35:00Z'),
    });
  });

  it.each([
    ['an ISO date', '2007-05-31T20:35:00Z'],
    ['another zone', 'Thu, 31 May 2007 20:35:00 +0200'],
    ['a day that does not exist', 'Fri, 31 Jun 2007 20:35:00 GMT'],
    ['29 February of a common year', 'Thu, 29 Feb 2022 12:00:00 GMT'],
    ['an hour that does not exist', 'Thu, 31 May 2007 24:00:00 GMT'],
    ['a one-digit day', 'Fri, 1 Jun 2007 20:35:00 GMT'],
    ['nothing', ''],
  ])('refuses %s with a message that shows the expected form', (_, value) => {
    const parsed = parseAcceptDatetime(value);
    expect(parsed).toEqual({ error: expect.stringContaining('"Thu, 31 May 2007 20:35:00 GMT"') });
  });

  it.each([
    [
      'Thu, 27 Feb 2022 12:00:00 GMT',
      '27 Feb 2022 is a Sunday, not a Thursday',
      'Sun, 27 Feb 2022 12:00:00 GMT',
    ],
    [
      'Fri, 31 May 2007 20:35:00 GMT',
      '31 May 2007 is a Thursday, not a Friday',
      'Thu, 31 May 2007 20:35:00 GMT',
    ],
    [
      'Mon, 29 Feb 2024 00:00:00 GMT',
      '29 Feb 2024 is a Thursday, not a Monday',
      'Thu, 29 Feb 2024 00:00:00 GMT',
    ],
  ])(
    'refuses %s saying the weekday does not match the date, and which weekday it is',
    (value, why, fixed) => {
      const parsed = parseAcceptDatetime(value);
      expect('error' in parsed && parsed.error).toBe(
        `Accept-Datetime: "${value}": the weekday does not match the date (${why}); send "${fixed}"`,
      );
      expect(parseAcceptDatetime(fixed)).toEqual({ date: new Date(Date.parse(fixed)) });
    },
  );

  it('formats Memento-Datetime in the same form, to the second', () => {
    expect(httpDate(at('2026-03-01T10:00:00.987Z'))).toBe('Sun, 01 Mar 2026 10:00:00 GMT');
  });
});
