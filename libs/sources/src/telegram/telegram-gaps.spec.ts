import { findIdGaps, knownIdsMissingFromListing } from './telegram-gaps';

describe('findIdGaps', () => {
  it('finds the ids missing between listed ones, ascending', () => {
    expect(findIdGaps([10, 11, 14, 15, 17])).toEqual([12, 13, 16]);
    expect(findIdGaps([17, 10, 14, 11, 15, 15])).toEqual([12, 13, 16]);
  });

  it('finds none in a run, a single id or nothing', () => {
    expect(findIdGaps([3, 4, 5])).toEqual([]);
    expect(findIdGaps([9])).toEqual([]);
    expect(findIdGaps([])).toEqual([]);
  });

  it('stops at the limit however wide the gap', () => {
    expect(findIdGaps([1, 1_000_000_000], 3)).toEqual([2, 3, 4]);
  });

  it('ignores ids that are not positive safe integers', () => {
    expect(findIdGaps([1, 3, -5, 0, Number.NaN, 2 ** 60])).toEqual([2]);
  });
});

describe('knownIdsMissingFromListing', () => {
  it('names the known ids the listing skipped, not those outside it', () => {
    expect(knownIdsMissingFromListing([10, 11, 13, 20], [5, 10, 12, 15, 21])).toEqual([12, 15]);
    expect(knownIdsMissingFromListing([10], [9, 11])).toEqual([]);
  });
});
