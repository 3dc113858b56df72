import { searchSpans, SEQ_RANGE_BITS } from './search-ranges';

describe('searchSpans', () => {
  it('covers every seq below the upper bound once, newest first, narrow ranges first', () => {
    for (const upper of [1n, 2n, 128n, 129n, 1_000_001n, 123_456_789n, 2n ** 32n]) {
      const spans = searchSpans(upper);
      expect(spans[0].upper).toBe(upper);
      expect(spans[spans.length - 1].lower).toBe(0n);
      for (let i = 1; i < spans.length; i++) expect(spans[i].upper).toBe(spans[i - 1].lower);
      for (const span of spans) expect(span.lower).toBeLessThan(span.upper);
      const widths = spans.flatMap((s) => s.keys.map((k) => Number(k >> 48n)));
      expect([...widths].sort((a, b) => a - b)).toEqual(widths);
    }
  });

  it('keys each range as the index files its statements, and the ranges tile the span', () => {
    for (const span of searchSpans(1_000_001n)) {
      let top = span.upper;
      for (const key of span.keys) {
        const bits = key >> 48n;
        expect(SEQ_RANGE_BITS).toContain(Number(bits));
        const number = key & ((1n << 48n) - 1n);
        expect((top - 1n) >> bits).toBe(number);
        top = number << bits;
      }
      expect(top).toBe(span.lower);
    }
  });

  it('asks for a million statements in five index scans, eightfold larger each', () => {
    const spans = searchSpans(1_000_001n);
    expect(spans.map((s) => s.keys.length)).toEqual([4, 4, 4, 4, 2]);
    expect(spans.map((s) => Number(s.keys[1] >> 48n))).toEqual([7, 10, 13, 16, 19]);
    expect(searchSpans(100n).map((s) => [s.lower, s.upper])).toEqual([[0n, 100n]]);
  });
});
