import { lookupUrlsOf, originalUrlOf } from './original-url';

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

describe('lookupUrlsOf', () => {
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
});
