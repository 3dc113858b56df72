import { planVersions, type HeldVersions } from './version-plan';

const holding = (...sha256s: string[]): HeldVersions => ({
  latestVersion: sha256s.length,
  latestContentSha256: sha256s.at(-1) ?? null,
  contentSha256s: new Set(sha256s),
});

describe('planVersions', () => {
  it('without history, is decideChange: a new post, an edit, or nothing', () => {
    expect(planVersions(holding(), [], 'a')).toEqual([{ from: 'current', version: 1, created: true }]);
    expect(planVersions(holding('a'), [], 'b')).toEqual([{ from: 'current', version: 2, created: false }]);
    expect(planVersions(holding('a'), [], 'a')).toEqual([]);
  });

  it('puts missed edits before the current version, in the order given, numbered after what we hold', () => {
    expect(planVersions(holding('a'), ['a', 'b', 'c', 'd'], 'd')).toEqual([
      { from: 'history', index: 1, version: 2, created: false },
      { from: 'history', index: 2, version: 3, created: false },
      { from: 'current', version: 4, created: false },
    ]);
  });

  it('makes the first history version the created one when we held nothing (edited before our first read)', () => {
    expect(planVersions(holding(), ['a', 'b'], 'c')).toEqual([
      { from: 'history', index: 0, version: 1, created: true },
      { from: 'history', index: 1, version: 2, created: false },
      { from: 'current', version: 3, created: false },
    ]);
  });

  it('skips history versions whose content we already hold (a replay writes nothing)', () => {
    expect(planVersions(holding('a', 'b', 'c'), ['a', 'b', 'c'], 'c')).toEqual([]);
    expect(planVersions(holding('a', 'c'), ['a', 'b', 'c'], 'd')).toEqual([
      { from: 'history', index: 1, version: 3, created: false },
      { from: 'current', version: 4, created: false },
    ]);
  });

  it('skips a history version repeating the one before it (an edit of something we do not record)', () => {
    expect(planVersions(holding('a'), ['b', 'b', 'c'], 'd')).toEqual([
      { from: 'history', index: 0, version: 2, created: false },
      { from: 'history', index: 2, version: 3, created: false },
      { from: 'current', version: 4, created: false },
    ]);
  });

  it("lets our own read of the current version replace the platform's copy of it", () => {
    expect(planVersions(holding('a'), ['b', 'c'], 'c')).toEqual([
      { from: 'history', index: 0, version: 2, created: false },
      { from: 'current', version: 3, created: false },
    ]);
    expect(planVersions(holding(), ['c'], 'c')).toEqual([{ from: 'current', version: 1, created: true }]);
  });

  it('writes the current version after a missed edit even when it reverts to text we hold', () => {
    expect(planVersions(holding('a'), ['b'], 'a')).toEqual([
      { from: 'history', index: 0, version: 2, created: false },
      { from: 'current', version: 3, created: false },
    ]);
  });
});
