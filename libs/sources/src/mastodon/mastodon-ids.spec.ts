import { compareIds, newestId } from './mastodon-ids';

describe('compareIds', () => {
  it('orders decimal ids as numbers, not as text', () => {
    expect(compareIds('9', '10')).toBeLessThan(0);
    expect(compareIds('10', '9')).toBeGreaterThan(0);
    expect(compareIds('99', '100')).toBeLessThan(0);
    expect(compareIds('42', '42')).toBe(0);
  });

  it('keeps precision beyond 2^53', () => {
    // these two differ by one but are the same JS number
    expect(Number('109348677773283527')).toBe(Number('109348677773283528'));
    expect(compareIds('109348677773283527', '109348677773283528')).toBeLessThan(0);
  });

  it('orders non-decimal ids by length, then text', () => {
    expect(compareIds('AbC', 'AbCd')).toBeLessThan(0);
    expect(compareIds('AbD', 'AbC')).toBeGreaterThan(0);
  });
});

describe('newestId', () => {
  it('finds the largest id and null for none', () => {
    expect(newestId(['9', '10', '8'])).toBe('10');
    expect(newestId([])).toBeNull();
  });
});
