import { startMinistrySite, type MinistrySite, type Release } from '@app/testing/fake-web';
import { rssFeed } from '@app/testing/fake-feed-server';
import { testHttpClient } from '@app/testing/test-http-client';
import { FeedConnector } from '../feeds/feed-connector';
import { type GuardedHttpClient } from '../http/guarded-http-client';
import { ErrorCode, SourceError } from '@app/core';
import { decodeHtml, parsePageContents } from './page-parse-task';
import { inThreadPageParsing, type PageParsing } from './page-parsing';
import { WEB_RELEASE_ATTEMPTS, WEB_RELEASE_GIVE_UP_MS, WebConnector, type WebCursor } from './web-connector';
import { normalizePageUrl } from './web-urls';

const release = (n: number, extra: Partial<Release> = {}): Release => ({
  slug: `${1000 + n}-statement-${n}`,
  title: `Statement ${n} of the Ministry of Foreign Affairs of Ukraine`,
  paragraphs: [
    `Statement number ${n}. Ukraine calls on the international community to strengthen sanctions against the aggressor state.`,
    'The Ministry stresses that every crime committed against civilians will be documented and punished.',
    'We thank our partners for their steadfast support of Ukraine’s sovereignty and territorial integrity.',
  ],
  published: `2022-02-${String(10 + n).padStart(2, '0')}T09:00:00.000Z`,
  author: 'Press Service',
  ...extra,
});

describe('WebConnector', () => {
  let site: MinistrySite;
  let http: GuardedHttpClient;
  let web: WebConnector;

  beforeEach(async () => {
    site = await startMinistrySite();
    http = testHttpClient();
    web = new WebConnector(http, new FeedConnector(http), { releasesPerPoll: 2 });
  });
  afterEach(async () => {
    await site.close();
    await http.close();
  });

  it('captures a page: main text without the site chrome, title, byline, date, language, raw bytes kept', async () => {
    site.publish(release(1));
    const { account, posts } = await web.capture(
      new URL(`${site.releaseUrl(release(1).slug)}?utm_source=x#top`),
    );
    expect(account).toMatchObject({ platform: 'web', externalId: new URL(site.listUrl).origin });
    expect(posts).toHaveLength(1);
    const [post] = posts;
    expect(post.content).toMatchObject({
      platform: 'web',
      postId: site.releaseUrl(release(1).slug),
      title: release(1).title,
      byline: expect.stringContaining('Press Service'),
      authoredAt: '2022-02-11T09:00:00.000Z',
      language: 'en',
      html: null,
    });
    for (const paragraph of release(1).paragraphs) expect(post.content.text).toContain(paragraph);
    expect(post.content.text).not.toContain('Privacy policy');
    expect(post.content.text).not.toContain('Consular issues');
    const page = post.artifacts.find((a) => a.role === 'page')!;
    expect(page.bytes.equals(site.releaseBytes(release(1).slug))).toBe(true);
    expect(post.artifacts.map((a) => a.role)).toEqual(['page', 'response-head']);
  });

  it('tracks a list page: captures each linked release once, a bounded number per poll', async () => {
    for (let n = 1; n <= 5; n++) site.publish(release(n));
    const account = await web.resolve(new URL(site.listUrl));
    expect(account).toMatchObject({ platform: 'web', handle: site.listUrl });

    let cursor: WebCursor = web.readCursor({});
    const captured: string[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await web.poll(account, cursor);
      expect(result.kind).toBe('posts');
      if (result.kind !== 'posts') return;
      expect(result.posts.length).toBeLessThanOrEqual(2);
      for (const post of result.posts) {
        captured.push(post.content.postId);
        // the list page's own bytes travel with every release it led to
        expect(post.artifacts.map((a) => a.role)).toContain('list-page');
      }
      cursor = web.readCursor(result.cursor);
    }
    // newest first, each once, never the menu, sidebar, footer, tags or pagination
    expect(captured).toEqual([5, 4, 3, 2, 1].map((n) => site.releaseUrl(release(n).slug)));
    const quiet = await web.poll(account, cursor);
    expect(quiet.kind).toBe('unchanged');

    site.publish(release(6));
    const after = await web.poll(account, web.readCursor(quiet.cursor));
    expect(after.kind === 'posts' && after.posts.map((p) => p.content.postId)).toEqual([
      site.releaseUrl(release(6).slug),
    ]);
    for (let n = 1; n <= 5; n++)
      expect(site.requestCount(`/en/press-service/news/${release(n).slug}`)).toBe(1);
  });

  it('asks a failing release again on later polls, new releases first, and gives it up after 5 polls and a day', async () => {
    for (let n = 1; n <= 3; n++) site.publish(release(n));
    const broken = [3, 2].map((n) => `/en/press-service/news/${release(n).slug}`);
    for (const path of broken) site.server.setFeed(path, { body: 'down', status: 503 });
    let at = Date.parse('2026-03-01T00:00:00Z');
    const polls = async (count: number, stepMs: number, start: WebCursor) => {
      const clocked = new WebConnector(http, new FeedConnector(http), {
        releasesPerPoll: 2,
        now: () => new Date(at),
      });
      const account = await clocked.resolve(new URL(site.listUrl));
      let cursor = start;
      const captured: string[][] = [];
      const kinds: string[] = [];
      for (let i = 0; i < count; i++) {
        const result = await clocked.poll(account, cursor);
        kinds.push(result.kind);
        captured.push(result.kind === 'posts' ? result.posts.map((p) => p.content.postId) : []);
        cursor = clocked.readCursor(result.cursor);
        at += stepMs;
      }
      return { cursor, captured, kinds };
    };

    // an outage of a few hours: failing releases are kept, however many polls they failed
    const outage = await polls(WEB_RELEASE_ATTEMPTS + 3, 60_000, web.readCursor({}));
    // poll 1 takes the two newest (both down); poll 2 the one never tried before either of them again
    expect(outage.captured[0]).toEqual([]);
    expect(outage.captured[1]).toEqual([site.releaseUrl(release(1).slug)]);
    expect(Object.keys(outage.cursor.failed ?? {}).sort()).toEqual(
      [2, 3].map((n) => site.releaseUrl(release(n).slug)).sort(),
    );
    expect(outage.kinds).not.toContain('unchanged');

    // still failing a day later: given up, and the list is done with (an unchanged list is not read through again)
    at += WEB_RELEASE_GIVE_UP_MS;
    const later = await polls(3, 60_000, outage.cursor);
    expect(later.kinds).toEqual(['posts', 'unchanged', 'unchanged']);
    expect(later.cursor.failed).toBeUndefined();
    expect([...outage.captured, ...later.captured].flat()).toEqual([site.releaseUrl(release(1).slug)]);
  });

  it('keeps what a poll read when our own load starves a release page’s parse, and gives no page up', async () => {
    for (let n = 1; n <= 3; n++) site.publish(release(n));
    const starved = new SourceError(ErrorCode.LocalOverload, 'parse thread kept off the cores');
    let busyWith: string[] = [];
    const inThread = inThreadPageParsing();
    // a release page does not parse while the process is busy with it
    const parsing: PageParsing = {
      ...inThread,
      parse: (input) => (busyWith.includes(input.url) ? Promise.reject(starved) : inThread.parse(input)),
    };
    const loaded = new WebConnector(http, new FeedConnector(http), { releasesPerPoll: 3, parsing });
    const account = await loaded.resolve(new URL(site.listUrl));
    const urls = (...ns: number[]) => ns.map((n) => site.releaseUrl(release(n).slug));
    const postIds = (result: Awaited<ReturnType<WebConnector['poll']>>) =>
      result.kind === 'posts' ? result.posts.map((p) => p.content.postId) : [];

    // the newest is read, the next starved: the poll keeps the first and leaves the rest for the next one
    busyWith = urls(2);
    const first = await loaded.poll(account, loaded.readCursor({}));
    expect(postIds(first)).toEqual(urls(3));
    const cursor = loaded.readCursor(first.cursor);
    expect(cursor.failed).toBeUndefined();
    expect(cursor.bodySha256).toBeUndefined();

    // starved on the first release it tries: nothing read, the whole poll is put off
    await expect(loaded.poll(account, cursor)).rejects.toBe(starved);

    busyWith = [];
    expect(postIds(await loaded.poll(account, cursor))).toEqual(urls(2, 1));
  });

  it('re-reads pages: found with the new text, 404 not-found, 5xx unknown', async () => {
    site.publish(release(1));
    site.publish(release(2));
    const { account, posts } = await web.capture(new URL(site.releaseUrl(release(1).slug)));
    const refs = [release(1), release(2), release(3)].map((r) => ({
      postId: site.releaseUrl(r.slug),
      url: site.releaseUrl(r.slug),
    }));
    site.edit(release(1, { paragraphs: ['Amended: the statement now has one paragraph of new text only.'] }));
    site.remove(release(2).slug);
    site.server.setFeed(`/en/press-service/news/${release(3).slug}`, { body: 'oops', status: 503 });
    const answers = await web.fetchMany(account, refs);
    expect(answers.map((a) => a.kind)).toEqual(['found', 'not-found', 'unknown']);
    const found = answers[0].kind === 'found' ? answers[0].post : null;
    expect(found?.content.text).toContain('Amended');
    expect(found?.content.text).not.toEqual(posts[0].content.text);
  });

  it('refuses to track a page that lists no releases (an article): its polls would capture nothing', async () => {
    site.publish(release(1));
    const resolving = web.resolve(new URL(site.releaseUrl(release(1).slug)));
    await expect(resolving).rejects.toMatchObject({ code: ErrorCode.UnsupportedUrl });
    await expect(resolving).rejects.toThrow(/lists no releases.*POST \/api\/v1\/captures/);
  });

  it('hands a feed to the feed connector: a URL whose body is a feed stays a feed', async () => {
    site.server.setFeed('/en/rss', {
      body: rssFeed({ title: 'MFA news', link: site.listUrl, items: [] }).body,
      contentType: 'text/html; charset=utf-8', // servers mislabel feeds; the body decides
    });
    const account = await web.resolve(new URL(site.server.url('/en/rss')));
    expect(account.platform).toBe('feed');
  });

  it('refuses what is neither a page nor a feed with a reason, as the feed reader did', async () => {
    site.server.setFeed('/api/data.json', { body: '{"a":1}', contentType: 'application/json' });
    await expect(web.capture(new URL(site.server.url('/api/data.json')))).rejects.toThrow(
      /did not return an RSS or Atom feed/,
    );
  });
});

describe('parsePageContents', () => {
  const parse = (html: string, url = 'https://mfa.example/en/news/1') =>
    parsePageContents({ bytes: Buffer.from(html), contentType: 'text/html', url, maxLinks: 100 });

  it('detects the language of a page without <html lang>', () => {
    const page = parse(
      `<html><head><title>Заява МЗС</title></head><body><article><h1>Заява МЗС України</h1><p>${'Україна закликає міжнародну спільноту посилити санкції проти держави-агресора. '.repeat(10)}</p></article></body></html>`,
    );
    expect(page.lang).toBeNull();
    expect(page.text).toContain('Україна закликає');
  });

  it('reads an article whose images carry long srcset and data: attributes, its text whole', () => {
    const paragraph = `<p>${'Ukraine calls on its partners to strengthen sanctions against the aggressor. '.repeat(12)}</p>`;
    const media =
      `<p><img src="data:image/png;base64,${'A'.repeat(20_000)}" srcset="${'a'.repeat(40_000)} b"></p>` +
      `<figure data-src="${'b'.repeat(20_000)}.jpg 2"><figcaption>The minister in Kyiv.</figcaption></figure>`;
    const page = parse(
      `<html><head><title>Statement</title></head><body><article>${paragraph}${media}${paragraph}</article></body></html>`,
    );
    expect(page.reader).toBe('readability');
    expect(page.text).toContain('Ukraine calls on its partners');
    expect(page.text).toContain('The minister in Kyiv.');
  });

  it('keeps a page Readability cannot read: title and body text', () => {
    const page = parse('<html><head><title>Short</title></head><body><p>One line.</p></body></html>');
    expect(page.title).toBe('Short');
    expect(page.text).toContain('One line.');
  });

  it('reads a page nested 100,000 deep without Readability, in linear time', () => {
    const n = 100_000;
    const page = parse(
      `<html><head><title>Deep</title></head><body>${'<div>'.repeat(n)}deep text${'</div>'.repeat(n)}</body></html>`,
    );
    expect(page.reader).toBe('page-text');
    expect(page.readerNote).toContain('nested');
    expect(page.text).toBe('deep text');
  });

  it('reads broken HTML', () => {
    const page = parse(
      '<html><head><title>Broken</ti<body><p>unterminated <b><i>text <a href="x>more</p><<<>>></div></table>',
    );
    expect(typeof page.text).toBe('string');
  });

  it('returns at most maxLinks release links from a page with 100,000', () => {
    const items = Array.from({ length: 100_000 }, (_, i) => `<li><a href="/r/${i}">R ${i}</a></li>`).join('');
    const page = parse(`<html><body><main><ul>${items}</ul></main></body></html>`);
    expect(page.releaseLinks).toHaveLength(100);
    expect(page.releaseLinks[0]).toBe('https://mfa.example/r/0');
  });
});

describe('normalizePageUrl', () => {
  it('drops the fragment and tracking parameters, keeps the rest in order', () => {
    expect(normalizePageUrl('https://MFA.example/a?b=2&utm_source=x&a=1&fbclid=z#top')).toBe(
      'https://mfa.example/a?b=2&a=1',
    );
  });
});

describe('decodeHtml', () => {
  const page = '<p>Zürich – café</p>';

  it('lets a byte order mark win over the charset the header names', () => {
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(page)]);
    expect(decodeHtml(utf8, 'text/html; charset=iso-8859-1')).toBe(page);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(page, 'utf16le')]);
    expect(decodeHtml(utf16, 'text/html; charset=utf-8')).toBe(page);
  });

  it('reads a <meta> naming UTF-16 as UTF-8, as browsers do: the bytes that named it were ASCII', () => {
    const html = `<html><head><meta charset="utf-16"><title>Press release</title></head><body>${page}</body></html>`;
    expect(decodeHtml(Buffer.from(html), 'text/html')).toBe(html);
  });

  it('takes the header charset, else the <meta> one, else UTF-8', () => {
    const cyrillic = 'Заява МЗС';
    const cp1251 = Buffer.from(new Uint8Array([0xc7, 0xe0, 0xff, 0xe2, 0xe0, 0x20, 0xcc, 0xc7, 0xd1]));
    expect(decodeHtml(cp1251, 'text/html; charset=windows-1251')).toBe(cyrillic);
    const meta = Buffer.concat([Buffer.from('<meta charset="windows-1251"><p>'), cp1251]);
    expect(decodeHtml(meta, 'text/html')).toBe(`<meta charset="windows-1251"><p>${cyrillic}`);
    expect(decodeHtml(Buffer.from(page), null)).toBe(page);
  });
});
