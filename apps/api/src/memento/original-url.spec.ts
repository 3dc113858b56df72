import { ACCOUNT_PLATFORM_ID } from '@app/persistence';
import { lookupOf, originalUrlOf } from './original-url';

describe('originalUrlOf', () => {
  it('takes everything after the prefix, query included', () => {
    expect(originalUrlOf('/timegate/https://m.example/@a/1?x=1&y=2', '/timegate/')).toEqual({
      url: 'https://m.example/@a/1?x=1&y=2',
    });
  });

  it('decodes a percent-encoded original and mends a merged scheme slash', () => {
    expect(originalUrlOf('/timegate/https%3A%2F%2Fm.example%2F%40a%2F1', '/timegate/')).toEqual({
      url: 'https://m.example/@a/1',
    });
    expect(originalUrlOf('/timemap/link/https:/m.example/@a/1', '/timemap/link/')).toEqual({
      url: 'https://m.example/@a/1',
    });
  });

  it.each(['/timegate/', '/timegate/ftp://m.example/x', '/timegate/not a url', '/timegate/https%3A%E0%A4%A'])(
    'says what to send for %s',
    (target) => {
      expect(originalUrlOf(target, '/timegate/')).toEqual({ error: expect.stringContaining('/timegate/') });
    },
  );
});

describe('lookupOf', () => {
  const lookupUrlsOf = (original: string) => lookupOf(original).urls;

  it('tries the URL as asked first, then as web pages and feeds are keyed (normalizePageUrl)', () => {
    expect(
      lookupUrlsOf('https://MFA.example/news/1?id=7&utm_source=newsletter&fbclid=z&gclid=y#top'),
    ).toEqual([
      'https://MFA.example/news/1?id=7&utm_source=newsletter&fbclid=z&gclid=y#top',
      'https://mfa.example/news/1?id=7',
      'https://mfa.example./news/1?id=7',
    ]);
  });

  it('takes a trailing dot off the host, and tries it on', () => {
    expect(lookupUrlsOf('https://example.org./a')).toEqual([
      'https://example.org./a',
      'https://example.org/a',
    ]);
    expect(lookupUrlsOf('https://example.org/a')).toEqual([
      'https://example.org/a',
      'https://example.org./a',
    ]);
    // an address has no such dot: URL drops it
    expect(lookupUrlsOf('http://127.0.0.1.:3000/a?utm_medium=email')).toEqual([
      'http://127.0.0.1.:3000/a?utm_medium=email',
      'http://127.0.0.1:3000/a',
    ]);
  });

  it("drops X's share parameters from X post and profile links, on any X host form, and keeps the others", () => {
    const post = 'https://x.com/DmytroKuleba/status/1497866361043742722';
    expect(lookupUrlsOf(`${post}?s=20&t=AbC-dEf_12`)[1]).toBe(post);
    expect(
      lookupUrlsOf(`https://x.com./DmytroKuleba/status/1497866361043742722?t=x&s=19&utm_source=share`)[1],
    ).toBe(post);
    expect(lookupUrlsOf('https://twitter.com/DmytroKuleba?s=21')[1]).toBe('https://twitter.com/DmytroKuleba');
    expect(lookupUrlsOf(`${post}?lang=en&s=20`)[1]).toBe(`${post}?lang=en`);
  });

  it('keeps s and t everywhere but X, and every parameter that is not a tracking tag', () => {
    for (const url of [
      'https://mfa.example/?s=sanctions',
      'https://mfa.example/news?t=2022&page=2',
      'https://t.me/mfa_ukraine/123?single',
      'https://mastodon.social/@mfa/110000000000000000?s=20',
      'https://x.com/search?q=sanctions&s=20',
    ]) {
      // the URL as asked, and with a dot after its host: nothing taken off
      const hostDot = (u: string) => new URL(u).hostname.endsWith('.');
      expect(lookupUrlsOf(url).filter((u) => !hostDot(u))).toEqual([url]);
    }
    expect(lookupUrlsOf('https://mastodon.social/@mfa/110000000000000000?utm_source=mastodon')[1]).toBe(
      'https://mastodon.social/@mfa/110000000000000000',
    );
  });

  const post = '1497866361043742722';
  const kuleba = { account: { platform: 'x', name: 'dmytrokuleba' }, postId: post };

  it.each([
    `https://x.com/DmytroKuleba/status/${post}`,
    `https://twitter.com/DmytroKuleba/status/${post}`,
    `https://www.twitter.com/DmytroKuleba/status/${post}`,
    `https://mobile.twitter.com/DmytroKuleba/status/${post}?s=20`,
    `https://mobile.x.com/DmytroKuleba/status/${post}/`,
    `https://WWW.X.COM/DmytroKuleba/statuses/${post}#m`,
    `https://twitter.com/DmytroKuleba/status/${post}/photo/1`,
  ])('names an X post by its account and id in every host form: %s', (link) => {
    const lookup = lookupOf(link);
    expect(lookup).toMatchObject(kuleba);
    // the form statements are held under, for an account renamed since (its old name is no account's)
    expect(lookup.urls).toContain(`https://x.com/DmytroKuleba/status/${post}`);
  });

  it('names an X account in any letter case, a name kept as written in the URL tried', () => {
    const lookup = lookupOf(`https://twitter.com/dmytroKULEBA/status/${post}`);
    expect(lookup).toMatchObject(kuleba);
    expect(lookup.urls).toContain(`https://x.com/dmytroKULEBA/status/${post}`);
    expect(lookupOf('https://mobile.twitter.com/DmytroKuleba')).toEqual({
      urls: expect.any(Array),
      account: kuleba.account,
      postId: undefined,
    });
  });

  it('names a Telegram post by channel, in any case, on t.me, telegram.me and the /s/ preview', () => {
    for (const link of [
      'https://t.me/MFA_Ukraine/123',
      'https://t.me/s/mfa_ukraine/123',
      'https://telegram.me/MFA_UKRAINE/123/',
      'https://www.t.me/s/MFA_Ukraine/123#x',
    ])
      expect([link, lookupOf(link)]).toMatchObject([
        link,
        { account: { platform: 'telegram', name: 'mfa_ukraine' }, postId: '123' },
      ]);
    expect(lookupOf('https://t.me/s/MFA_Ukraine').account).toEqual({
      platform: 'telegram',
      name: 'mfa_ukraine',
    });
  });

  it("names a Bluesky post by its account's handle in any case or by DID; the post's id takes the account's DID", () => {
    const postId = `at://${ACCOUNT_PLATFORM_ID}/app.bsky.feed.post/3kz2abcdxyz2a`;
    expect(lookupOf('https://bsky.app/profile/MFA.Gov.Example/post/3kz2abcdxyz2a')).toMatchObject({
      account: { platform: 'bluesky', name: 'mfa.gov.example' },
      postId,
    });
    const did = 'did:plc:abcdefghijklmnopqrstuvwx';
    expect(lookupOf(`https://www.bsky.app/profile/${did}/post/3kz2abcdxyz2a/`)).toMatchObject({
      account: { platform: 'bluesky', name: did },
      postId,
    });
  });

  it('names a Mastodon post by user@host in any case, in its /@user and /users/ forms', () => {
    for (const link of [
      'https://Diplo.example/@MFA/110000000000000000',
      'https://diplo.example/users/mfa/statuses/110000000000000000',
    ])
      expect(lookupOf(link)).toMatchObject({
        account: { platform: 'mastodon', name: 'mfa@diplo.example' },
        postId: '110000000000000000',
      });
    expect(lookupOf('http://127.0.0.1:3000/@Mfa').account).toEqual({
      platform: 'mastodon',
      name: 'mfa@127.0.0.1:3000',
    });
  });

  it("keeps a web page's path as written, and names no account for a link with a parameter left", () => {
    expect(lookupOf('https://MFA.example/News/Item-1')).toEqual({
      urls: [
        'https://MFA.example/News/Item-1',
        'https://mfa.example/News/Item-1',
        'https://mfa.example./News/Item-1',
      ],
    });
    // ?lang may pick what is shown: like ?page=2 on a web page, a link we hold nothing under
    expect(lookupOf(`https://x.com/DmytroKuleba/status/${post}?lang=en`).account).toBeUndefined();
    expect(lookupOf('https://t.me/mfa_ukraine/123?single').account).toBeUndefined();
    // X's own pages name no account; a post there (/i/web/status/<id>) names none either
    expect(lookupOf('https://x.com/search').account).toBeUndefined();
    expect(lookupOf(`https://x.com/i/web/status/${post}`).account).toBeUndefined();
  });
});
