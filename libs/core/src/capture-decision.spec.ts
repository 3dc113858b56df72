import { decideChange, latestSightingPerPost } from './capture-decision';

describe('decideChange', () => {
  it('calls a post with no version yet new, whatever its hash', () => {
    expect(decideChange({ latestVersion: 0, latestContentSha256: null }, 'a')).toEqual({
      kind: 'new',
      version: 1,
    });
  });

  it('calls equal content unchanged and keeps the version number', () => {
    expect(decideChange({ latestVersion: 3, latestContentSha256: 'a' }, 'a')).toEqual({
      kind: 'unchanged',
      version: 3,
    });
  });

  it('calls different content an edit, numbered after the latest version', () => {
    expect(decideChange({ latestVersion: 3, latestContentSha256: 'a' }, 'b')).toEqual({
      kind: 'edited',
      version: 4,
    });
  });
});

describe('latestSightingPerPost', () => {
  it('keeps the later sighting of a post seen twice and orders by post id', () => {
    const sightings = [
      { id: '20', seen: 1 },
      { id: '3', seen: 1 },
      { id: '20', seen: 2 },
    ];
    expect(latestSightingPerPost(sightings, (s) => s.id)).toEqual([
      { id: '20', seen: 2 },
      { id: '3', seen: 1 },
    ]);
  });

  it('returns nothing for nothing', () => {
    expect(latestSightingPerPost([], (s: { id: string }) => s.id)).toEqual([]);
  });
});
