import { extractQuotes, extractQuotedStatements, parsePostUrl, quoteKey } from './index';

const DID = 'did:plc:z72i7hdynmk6r22z27h6tvur';
const RKEY = '3laz2ymsihk2v';
const CID = 'bafyreih6l4xqg7dbtlcvfqu3jqj5dfl2dlwz6tj3ytyzmwoqbcefhmslfa';

/** Bluesky's embed code for a post (embed.bsky.app), before its script runs. */
function blueskyEmbed(text: string, attributes = `data-bluesky-cid="${CID}"`): string {
  return (
    `<blockquote class="bluesky-embed" data-bluesky-uri="at://${DID}/app.bsky.feed.post/${RKEY}" ${attributes} ` +
    `data-bluesky-embed-color-mode="system"><p lang="en">${text}</p>&mdash; Bluesky (<a href="https://bsky.app/profile/${DID}?ref_src=embed">@bsky.app</a>) ` +
    `<a href="https://bsky.app/profile/${DID}/post/${RKEY}?ref_src=embed">November 20, 2024 at 6:13 PM</a></blockquote>` +
    `<script async src="https://embed.bsky.app/static/embed.js" charset="utf-8"></script>`
  );
}

const page = (body: string) =>
  `<!doctype html><html><body><article><p>News.</p>${body}</article></body></html>`;

describe('Bluesky embeds', () => {
  it('reads text, claimed author and date, and names the record by DID, record key and CID', () => {
    const quotes = extractQuotedStatements(page(blueskyEmbed('Sanctions start today.<br><br>More soon.')));
    expect(quotes).toEqual([
      {
        platform: 'bluesky',
        handle: 'bsky.app',
        name: 'Bluesky',
        date: '2024-11-20',
        text: 'Sanctions start today.\n\nMore soon.',
        foundIn: 'embed',
        postId: RKEY,
        postUrl: `https://bsky.app/profile/${DID}/post/${RKEY}`,
        postAccount: DID,
        postCid: CID,
      },
    ]);
  });

  it('without data-bluesky-cid the blockquote is no embed: its post link is a link-only quote', () => {
    const quotes = extractQuotedStatements(page(blueskyEmbed('Sanctions.', '')));
    expect(quotes).toEqual([
      expect.objectContaining({
        platform: 'bluesky',
        foundIn: 'link',
        text: null,
        postId: RKEY,
        postAccount: DID,
      }),
    ]);
  });

  it('an embed with an at:// URI of another collection is not a post', () => {
    const html = blueskyEmbed('x').replace('app.bsky.feed.post', 'app.bsky.feed.like');
    expect(extractQuotedStatements(page(html)).filter((q) => q.foundIn === 'embed')).toEqual([]);
  });
});

describe('Mastodon embeds', () => {
  it('the older iframe names the post: a link-only quote of user@host', () => {
    const html =
      '<iframe src="https://mastodon.social/@Gargron/113433396034539131/embed" class="mastodon-embed" ' +
      'style="max-width: 100%; border: 0" width="400" allowfullscreen="allowfullscreen"></iframe>' +
      '<script src="https://mastodon.social/embed.js" async="async"></script>';
    expect(extractQuotedStatements(page(html))).toEqual([
      {
        platform: 'mastodon',
        handle: 'Gargron@mastodon.social',
        name: null,
        date: null,
        text: null,
        foundIn: 'embed',
        postId: '113433396034539131',
        postUrl: 'https://mastodon.social/@Gargron/113433396034539131',
        postAccount: 'Gargron@mastodon.social',
      },
    ]);
  });

  it('the newer blockquote card is one quote, its inner link not counted again', () => {
    const html =
      '<blockquote class="mastodon-embed" data-embed-url="https://mastodon.social/@Mastodon/113433396034539131/embed" ' +
      'style="background: #FCF8FF;"><a href="https://mastodon.social/@Mastodon/113433396034539131" target="_blank">' +
      '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><path d="M0 0"/></svg>' +
      '<div>Post by @Mastodon@mastodon.social</div><div>View on Mastodon</div></a></blockquote>' +
      '<script data-allowed-prefixes="https://mastodon.social/" async src="https://mastodon.social/embed.js"></script>';
    const quotes = extractQuotedStatements(page(html));
    expect(quotes.map((q) => [q.platform, q.handle, q.foundIn, q.postId, q.text])).toEqual([
      ['mastodon', 'Mastodon@mastodon.social', 'embed', '113433396034539131', null],
    ]);
  });

  it('recognises @user@host handles in quotes printed as text', () => {
    const text =
      'Intro.\n\nWe stand with Ukraine. \u2014 EU Commission (@EU_Commission@ec.social-network.europa.eu) March 1, 2024';
    expect(extractQuotedStatements(text, 'text')).toEqual([
      expect.objectContaining({
        platform: 'mastodon',
        handle: 'EU_Commission@ec.social-network.europa.eu',
        name: 'EU Commission',
        date: '2024-03-01',
        text: 'We stand with Ukraine.',
      }),
    ]);
    // longer than an X handle may be, and no instance: nobody's handle
    expect(extractQuotedStatements('Hi. \u2014 A (@abcdefghijklmnopq) May 1, 2020', 'text')).toEqual([]);
  });
});

describe('Telegram embeds', () => {
  it('the widget script and the embed iframe each name a post', () => {
    const html =
      '<script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-post="mfa_ukraine/1234" data-width="100%"></script>' +
      '<iframe src="https://t.me/V_Zelenskiy_official/5678?embed=1" width="100%" frameborder="0"></iframe>' +
      // an iframe of another site with "embed=1" in its address is not Telegram's
      '<iframe src="https://video.example/watch?v=1&embed=1"></iframe>';
    const quotes = extractQuotedStatements(page(html));
    expect(quotes.map((q) => [q.platform, q.handle, q.foundIn, q.postId, q.postUrl, q.text])).toEqual([
      ['telegram', 'mfa_ukraine', 'embed', '1234', 'https://t.me/mfa_ukraine/1234', null],
      ['telegram', 'V_Zelenskiy_official', 'embed', '5678', 'https://t.me/V_Zelenskiy_official/5678', null],
    ]);
  });

  it('a widget naming no post (or a private chat) is nothing', () => {
    const html =
      '<script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-post="../etc/passwd"></script>' +
      '<script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-post="c/1234"></script>';
    expect(extractQuotedStatements(page(html))).toEqual([]);
  });
});

describe('plain links to posts', () => {
  it('finds links to posts on every platform, once per post, and ignores the rest', () => {
    const links = [
      'https://x.com/DmytroKuleba/status/1497970109567537152?s=20',
      'https://twitter.com/DmytroKuleba/status/1497970109567537152', // the same post
      'https://bsky.app/profile/bsky.app/post/3laz2ymsihk2v',
      'https://t.me/s/mfa_ukraine/1234',
      'https://mastodon.social/@Gargron/113433396034539131',
      // not posts
      'https://x.com/DmytroKuleba',
      'https://x.com/i/web/status/1497970109567537152',
      'https://t.me/mfa_ukraine',
      'https://t.me/c/123456/78',
      'https://news.example/@someone',
      'https://mastodon.social/@Gargron@other.example/1',
      '/relative/@user/123',
      'javascript:alert(1)',
      `https://x.com/a/status/1?${'x'.repeat(5000)}`,
    ];
    const html = page(links.map((href) => `<a href="${href}">link</a>`).join(' '));
    const quotes = extractQuotedStatements(html);
    expect(quotes.map((q) => [q.platform, q.handle, q.postId, q.postUrl, q.foundIn, q.text])).toEqual([
      [
        'x',
        'DmytroKuleba',
        '1497970109567537152',
        'https://x.com/DmytroKuleba/status/1497970109567537152',
        'link',
        null,
      ],
      [
        'bluesky',
        'bsky.app',
        '3laz2ymsihk2v',
        'https://bsky.app/profile/bsky.app/post/3laz2ymsihk2v',
        'link',
        null,
      ],
      ['telegram', 'mfa_ukraine', '1234', 'https://t.me/mfa_ukraine/1234', 'link', null],
      [
        'mastodon',
        'Gargron@mastodon.social',
        '113433396034539131',
        'https://mastodon.social/@Gargron/113433396034539131',
        'link',
        null,
      ],
    ]);
  });

  it('a link to a post that an embed with its words names adds nothing', () => {
    const html = page(
      `${blueskyEmbed('Words.')}<p>See <a href="https://bsky.app/profile/${DID}/post/${RKEY}">the post</a>.</p>`,
    );
    expect(extractQuotedStatements(html).map((q) => q.foundIn)).toEqual(['embed']);
  });

  it('parsePostUrl keeps DIDs as written and folds handles', () => {
    expect(parsePostUrl(`https://bsky.app/profile/Alice.Example.COM/post/${RKEY}`)).toMatchObject({
      account: 'alice.example.com',
    });
    expect(parsePostUrl(`https://bsky.app/profile/${DID}/post/${RKEY}`)).toMatchObject({ account: DID });
    expect(parsePostUrl('not a url')).toBeNull();
  });

  it('a link-only quote is identified by its post, whatever the case of the account', () => {
    const a = { platform: 'x' as const, handle: 'A', text: null, postAccount: 'A', postId: '1' };
    expect(quoteKey(a)).toBe(quoteKey({ ...a, handle: 'a', postAccount: 'a' }));
    expect(quoteKey(a)).not.toBe(quoteKey({ ...a, postId: '2' }));
  });
});

describe('bounds on hostile pages', () => {
  const FIVE_MB = 5 * 1024 * 1024;

  it('keeps the first `limit` quotes of 100,000 distinct post links and says how many there were', () => {
    const html = Array.from(
      { length: 100_000 },
      (_, i) => `<a href="https://t.me/channel_${i % 1000}/${i + 1}">post ${i}</a> `,
    ).join('');
    expect(html.length).toBeGreaterThan(FIVE_MB);
    const result = extractQuotes(html, 'html', 25);
    expect(result).toMatchObject({ found: 100_000, limit: 25, truncated: true });
    expect(result.quotes).toHaveLength(25);
    expect(result.quotes[0]).toMatchObject({ handle: 'channel_0', postId: '1' });
    expect(extractQuotes(html, 'html').quotes).toHaveLength(100); // the default limit
  });

  it('reads 5 MB of nested embeds of every kind as nothing but their outermost', () => {
    const open =
      `<blockquote class="bluesky-embed" data-bluesky-uri="at://${DID}/app.bsky.feed.post/${RKEY}" data-bluesky-cid="${CID}"><p>` +
      '<blockquote class="mastodon-embed" data-embed-url="https://m.example/@u/1/embed">' +
      '<blockquote class="twitter-tweet"><p><a href="https://x.com/a/status/1">words ';
    const nested = open.repeat(Math.ceil(FIVE_MB / open.length));
    const quotes = extractQuotedStatements(nested, 'html');
    // the outermost embed only (its text is over any post's length, so it names the post without words)
    expect(quotes).toEqual([expect.objectContaining({ platform: 'bluesky', foundIn: 'embed', text: null })]);
  });

  it('scans 5 MB of one huge link and of attributes that almost name a post', () => {
    const huge = `<a href="https://x.com/a/status/${'1'.repeat(FIVE_MB)}">x</a>`;
    expect(extractQuotedStatements(huge, 'html')).toEqual([]);
    const near = '<script data-telegram-post="chan/"></script><iframe src="https://t.me/?embed=1"></iframe>';
    expect(extractQuotedStatements(near.repeat(Math.ceil(FIVE_MB / near.length)), 'html')).toEqual([]);
  });
});
