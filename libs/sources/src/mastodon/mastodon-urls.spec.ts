import { handleFor, parseMastodonAccountUrl, parseMastodonPostUrl } from './mastodon-urls';

const account = (text: string) => parseMastodonAccountUrl(new URL(text));
const post = (text: string) => parseMastodonPostUrl(new URL(text));

describe('parseMastodonAccountUrl', () => {
  it.each([
    ['https://mastodon.social/@Gargron', 'https://mastodon.social', 'mastodon.social', 'Gargron'],
    ['https://mastodon.social/@Gargron/', 'https://mastodon.social', 'mastodon.social', 'Gargron'],
    ['http://127.0.0.1:3000/@DmytroKuleba', 'http://127.0.0.1:3000', '127.0.0.1:3000', 'DmytroKuleba'],
    ['https://mastodon.social/users/Gargron', 'https://mastodon.social', 'mastodon.social', 'Gargron'],
    [
      'https://mastodon.social/@Gargron@mastodon.social',
      'https://mastodon.social',
      'mastodon.social',
      'Gargron',
    ],
    ['https://MASTODON.social/@first.last', 'https://mastodon.social', 'mastodon.social', 'first.last'],
    ['https://mastodon.social/@Gargron?lang=en#top', 'https://mastodon.social', 'mastodon.social', 'Gargron'],
  ])('recognises %s', (url, origin, host, username) => {
    expect(account(url)).toEqual({ origin, host, username });
  });

  it.each([
    'https://mastodon.social/@noiob@awoo.space', // remote account seen through another instance
    'https://mastodon.social/@Gargron/103270115826048975', // a post, not an account
    'https://mastodon.social/users/Gargron/statuses/1',
    'https://mastodon.social/Gargron',
    'https://mastodon.social/@',
    'https://mastodon.social/@bad..name.',
    'https://mastodon.social/@with space',
    'https://mastodon.social/',
    'ftp://mastodon.social/@Gargron',
    'https://user:secret@mastodon.social/@Gargron',
    'https://mastodon.social/tags/ukraine',
  ])('rejects %s', (url) => {
    expect(account(url)).toBeNull();
  });
});

describe('parseMastodonPostUrl', () => {
  it.each([
    ['https://mastodon.social/@Gargron/103270115826048975', 'Gargron', '103270115826048975'],
    ['https://mastodon.social/users/Gargron/statuses/103270115826048975', 'Gargron', '103270115826048975'],
    ['http://127.0.0.1:3000/@DmytroKuleba/9', 'DmytroKuleba', '9'],
  ])('recognises %s', (url, username, statusId) => {
    expect(post(url)).toMatchObject({ username, statusId });
  });

  it('keeps the port in host and origin', () => {
    expect(post('http://127.0.0.1:3000/@a/1')).toEqual({
      origin: 'http://127.0.0.1:3000',
      host: '127.0.0.1:3000',
      username: 'a',
      statusId: '1',
    });
  });

  it.each([
    'https://mastodon.social/@Gargron',
    'https://mastodon.social/@Gargron/abc',
    'https://mastodon.social/@Gargron/103270115826048975/activity',
    'https://mastodon.social/users/Gargron/statuses/',
    'https://mastodon.social/web/statuses/103270115826048975',
    'javascript://mastodon.social/@Gargron/1',
  ])('rejects %s', (url) => {
    expect(post(url)).toBeNull();
  });
});

describe('handleFor', () => {
  it('adds the instance to a local acct and keeps a remote one', () => {
    expect(handleFor('Gargron', 'mastodon.social')).toBe('Gargron@mastodon.social');
    expect(handleFor('noiob@awoo.space', 'mastodon.social')).toBe('noiob@awoo.space');
  });
});
