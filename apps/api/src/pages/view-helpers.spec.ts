import { MESSAGES } from './i18n';
import { viewHelpers } from './view-helpers';

describe('viewHelpers.accountName', () => {
  const { accountName } = viewHelpers('en', MESSAGES.en);

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

describe('viewHelpers.headline', () => {
  const { headline } = viewHelpers('en', MESSAGES.en);

  it('keeps a first line that fits, and only the first line', () => {
    expect(headline('  Short statement.\nSecond line')).toBe('Short statement.');
  });

  it('ends a long line at a word, not inside one', () => {
    const text =
      'Foreigners willing to defend Ukraine and world order as part of the International Legion of Territorial Defence';
    const title = headline(text, 60);
    expect(title).toBe('Foreigners willing to defend Ukraine and world order as…');
    expect([...title].length).toBeLessThanOrEqual(60);
  });

  it('cuts a word only when no word ends in the last third, and never inside a character', () => {
    expect(headline('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
    const emoji = '🇺🇦'.repeat(50);
    const title = headline(emoji, 9);
    expect(title).toBe(`${'🇺🇦'.repeat(4)}…`);
    expect(title).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});
