import { replayDiff, wordDiff } from './text-diff';

describe('wordDiff', () => {
  it('marks whole words inserted and deleted', () => {
    expect(wordDiff('We will not negotiate', 'We will negotiate today')).toEqual([
      { op: 'equal', text: 'We will ' },
      { op: 'delete', text: 'not ' },
      { op: 'equal', text: 'negotiate' },
      { op: 'insert', text: ' today' },
    ]);
  });

  it('is all equal for the same text, and all insert from nothing', () => {
    expect(wordDiff('same words', 'same words')).toEqual([{ op: 'equal', text: 'same words' }]);
    expect(wordDiff('', 'new')).toEqual([{ op: 'insert', text: 'new' }]);
  });

  it.each([
    ['Україна не визнає', 'Україна ніколи не визнає'],
    ['line one\nline two', 'line one\nline 2\n'],
    ['a  b   c', 'a b c d'],
  ])('replays both texts exactly: %j → %j', (before, after) => {
    const diff = wordDiff(before, after);
    expect(replayDiff(diff, 'old')).toBe(before);
    expect(replayDiff(diff, 'new')).toBe(after);
  });
});
