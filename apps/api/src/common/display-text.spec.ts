import { accountName, headline } from './display-text';

describe('accountName', () => {
  it('shows a handle with its @, and a feed’s or page’s address as it is', () => {
    expect(accountName({ handle: 'DmytroKuleba', displayName: 'Dmytro Kuleba' })).toBe(
      'Dmytro Kuleba (@DmytroKuleba)',
    );
    expect(accountName({ handle: 'mfa@mastodon.example', displayName: null })).toBe('@mfa@mastodon.example');
    expect(accountName({ handle: 'https://mfa.example/feed.xml', displayName: 'Ministry' })).toBe(
      'Ministry (https://mfa.example/feed.xml)',
    );
  });
});

describe('headline', () => {
  it('keeps a first line that fits, and only the first line', () => {
    expect(headline('\n  Short statement.\nSecond line', 90)).toBe('Short statement.');
  });

  it('ends a long line at a word, not inside one', () => {
    const text =
      'Foreigners willing to defend Ukraine and world order as part of the International Legion of Territorial Defence';
    const title = headline(text, 60);
    expect(title).toBe('Foreigners willing to defend Ukraine and world order as…');
    expect([...title].length).toBeLessThanOrEqual(60);
  });

  it('cuts a word only when no word ends in the last third, and never inside a character as a reader sees it', () => {
    expect(headline('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
    // a flag is two code points, and a letter with its accent may be two: neither is split
    expect(headline('🇺🇦'.repeat(50), 10)).toBe(`${'🇺🇦'.repeat(9)}…`);
    expect(headline('й'.normalize('NFD').repeat(50), 8)).toBe(`${'й'.normalize('NFD').repeat(7)}…`);
    expect(headline('👩🏽‍⚖️'.repeat(20), 6)).toBe(`${'👩🏽‍⚖️'.repeat(5)}…`);
  });
});
