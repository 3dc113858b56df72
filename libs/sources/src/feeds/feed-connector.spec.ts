import { testHttpClient } from '@app/testing/test-http-client';
import { contentSha256, ErrorCode, localOverload, SourceError, sha256Hex } from '@app/core';
import {
  atomFeed,
  type FakeFeedServer,
  rssFeed,
  type RssItemSpec,
  startFakeFeedServer,
} from '@app/testing/fake-feed-server';
import { type PostAnswer, type PostRef, type ResolvedAccount } from '../connector';
import { type GuardedHttpClient } from '../http/guarded-http-client';
import { type HttpClientOptions } from '../http/http-client';
import { normalizePageUrl } from '../web/web-urls';
import { FEED_MAX_LINK_CHECKS, FeedConnector, type FeedConnectorOptions } from './feed-connector';

const ITEMS: RssItemSpec[] = [
  {
    guid: 'a1b2c3',
    guidIsPermaLink: false,
    title: 'Statement on the talks',
    link: '/press/2',
    pubDate: new Date('2026-03-02T10:00:00Z'),
    description: '<p>The Ministry welcomes the talks.</p>',
    enclosure: { url: '/files/2.jpg', type: 'image/jpeg', length: 1234 },
  },
  {
    guid: 'd4e5f6',
    guidIsPermaLink: false,
    title: 'Briefing',
    link: '/press/1',
    pubDate: new Date('2026-03-01T10:00:00Z'),
    description: '<p>Briefing notes.</p>',
  },
];

function pressFeed(items: RssItemSpec[] = ITEMS) {
  return rssFeed({ title: 'MFA press releases', link: '/press/', language: 'en', items });
}

async function rejection(promise: Promise<unknown>): Promise<SourceError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SourceError) return error;
    throw error;
  }
  throw new Error('expected a SourceError');
}

describe('FeedConnector', () => {
  let server: FakeFeedServer;
  let http: GuardedHttpClient;
  let connector: FeedConnector;

  beforeEach(async () => {
    server = await startFakeFeedServer();
    http = testHttpClient();
    connector = new FeedConnector(http);
  });

  afterEach(async () => {
    await http.close();
    await server.close();
  });

  async function resolved(path = '/rss.xml'): Promise<ResolvedAccount> {
    server.setFeed(path, pressFeed());
    return connector.resolve(new URL(server.url(path)));
  }

  it('tracks and captures any http(s) URL, nothing else', () => {
    expect(connector.canTrack(new URL('https://mfa.example.gov/rss'))).toBe(true);
    expect(connector.canCapture(new URL('http://en.kremlin.ru/events/president/news/feed'))).toBe(true);
    expect(connector.canTrack(new URL('ftp://mfa.example.gov/rss'))).toBe(false);
    expect(connector.canCapture(new URL('mailto:press@mfa.example.gov'))).toBe(false);
  });

  it('resolves a feed to an account named after it', async () => {
    const account = await resolved();
    expect(account).toEqual({
      platform: 'feed',
      handle: server.url('/rss.xml'),
      externalId: server.url('/rss.xml'),
      displayName: 'MFA press releases',
      profileUrl: server.url('/press/'),
      sourceUrl: server.url('/rss.xml'),
    });
  });

  it('keeps the URL given as the handle and the final URL after redirects as the source', async () => {
    server.setFeed('/new/feed.xml', pressFeed());
    server.setRedirect('/old/rss', '/new/feed.xml');
    const account = await connector.resolve(new URL(server.url('/old/rss')));
    expect(account).toMatchObject({ handle: server.url('/old/rss'), sourceUrl: server.url('/new/feed.xml') });
  });

  describe('the feed URL as identity', () => {
    const plain = () => server.url('/rss.xml');
    const variants = () => [
      `${plain()}#frag`,
      `${plain()}?utm_source=x`,
      `${plain()}?utm_source=x&utm_medium=rss#frag`,
    ];

    it('drops the fragment and utm_* tags, so tracking a variant gives the same account', async () => {
      const account = await resolved();
      for (const variant of variants()) {
        expect(await connector.resolve(new URL(variant))).toEqual(account);
        expect((await connector.fetchAll(new URL(variant))).account).toEqual(account);
      }
      expect(account).toMatchObject({ handle: plain(), externalId: plain(), sourceUrl: plain() });
    });

    it('does the same for a feed another connector fetched, and its items name the same account', async () => {
      const account = await resolved();
      for (const variant of variants()) {
        const fetched = await connector.readFetched(variant, await http.request(variant));
        expect(fetched.account).toEqual(account);
        expect(fetched.posts.map((post) => post.content.account)).toEqual([plain(), plain()]);
      }
    });

    it('keeps the other query parameters in their order', async () => {
      server.setFeed('/rss.xml', pressFeed());
      const account = await connector.resolve(new URL(`${plain()}?lang=en&utm_campaign=y&page=2`));
      expect(account).toMatchObject({
        handle: `${plain()}?lang=en&page=2`,
        sourceUrl: `${plain()}?lang=en&page=2`,
      });
    });

    it('lower-cases scheme and host, and keeps localhost and 127.0.0.1 apart', () => {
      expect(normalizePageUrl('HTTP://LocalHost:3918/feed.xml#frag')).toBe('http://localhost:3918/feed.xml');
      expect(normalizePageUrl('http://127.0.0.1:3918/feed.xml?utm_source=x')).toBe(
        'http://127.0.0.1:3918/feed.xml',
      );
    });

    it('drops a fragment or utm_* tag that a redirect added from the source URL', async () => {
      server.setFeed('/rss.xml', pressFeed());
      server.setRedirect('/old/rss', '/rss.xml?utm_source=redirect#top');
      const account = await connector.resolve(new URL(server.url('/old/rss')));
      expect(account).toMatchObject({ handle: server.url('/old/rss'), sourceUrl: plain() });
    });
  });

  it('refuses a URL that does not serve a feed, naming what it got', async () => {
    server.setFeed('/page', {
      body: '<!DOCTYPE html><html><body><p>News</p></body></html>',
      contentType: 'text/html; charset=utf-8',
    });
    const error = await rejection(connector.resolve(new URL(server.url('/page'))));
    expect(error.code).toBe(ErrorCode.SourceInvalidResponse);
    expect(error.message).toContain(
      `${server.url('/page')} did not return an RSS or Atom feed (got text/html; charset=utf-8)`,
    );
  });

  it('maps 404 to SourceNotFound', async () => {
    const error = await rejection(connector.resolve(new URL(server.url('/missing.xml'))));
    expect(error.code).toBe(ErrorCode.SourceNotFound);
    expect(error.httpStatus).toBe(404);
  });

  it('polls every item as a post read from the exact feed bytes, and remembers the validators', async () => {
    const account = await resolved();
    const built = pressFeed();
    const result = await connector.poll(account, {});
    if (result.kind !== 'posts') throw new Error(`expected posts, got ${result.kind}`);
    expect(result.httpStatus).toBe(200);
    expect(result.posts.map((post) => post.content.postId)).toEqual(['a1b2c3', 'd4e5f6']);
    expect(result.posts[0].content).toMatchObject({
      platform: 'feed',
      account: account.handle,
      url: server.url('/press/2'),
      title: 'Statement on the talks',
      text: 'The Ministry welcomes the talks.',
      authoredAt: '2026-03-02T10:00:00.000Z',
      language: 'en',
      media: [{ kind: 'image', url: server.url('/files/2.jpg'), mediaType: 'image/jpeg', description: null }],
    });
    for (const post of result.posts) {
      expect(post.evidenceLevel).toBe('captured');
      expect(post.artifacts.map((a) => [a.role, a.mediaType])).toEqual([
        ['feed', built.contentType],
        ['response-head', 'message/http'],
      ]);
      expect(post.artifacts[0].bytes.equals(built.body)).toBe(true);
      const head = post.artifacts[1].bytes.toString('latin1');
      expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(head).toContain(`\r\ncontent-type: ${built.contentType}\r\n`);
      expect(head).toContain(`\r\netag: ${result.cursor.etag}\r\n`);
      expect(head.endsWith('\r\n\r\n')).toBe(true);
    }
    expect(result.cursor.bodySha256).toBe(sha256Hex(built.body));
    expect(result.cursor.etag).toMatch(/^".+"$/);
    expect(result.cursor.lastModified).toMatch(/GMT$/);
  });

  it('sends the cursor as a conditional request and reports 304 as unchanged', async () => {
    const account = await resolved();
    const first = await connector.poll(account, {});
    const second = await connector.poll(account, first.cursor);
    expect(second).toEqual({ kind: 'unchanged', httpStatus: 304, cursor: first.cursor });
    const sent = server.lastRequestHeaders('/rss.xml');
    expect(sent?.['if-none-match']).toBe(first.cursor.etag);
    expect(sent?.['if-modified-since']).toBe(first.cursor.lastModified);
  });

  it('reports unchanged when a server ignoring conditional requests sends the same bytes again', async () => {
    server.setMode('ignore-conditional');
    const account = await resolved();
    const first = await connector.poll(account, {});
    const second = await connector.poll(account, first.cursor);
    expect(second.kind).toBe('unchanged');
    expect(second.httpStatus).toBe(200);
    expect(second.cursor.bodySha256).toBe(first.cursor.bodySha256);
    expect(server.requestCount('/rss.xml')).toBe(3);
  });

  it('returns a changed item under the same guid with different content (a new version)', async () => {
    const account = await resolved();
    const first = await connector.poll(account, {});
    server.setFeed(
      '/rss.xml',
      pressFeed([
        { ...ITEMS[0], description: '<p>The Ministry welcomes the talks and urges restraint.</p>' },
        ITEMS[1],
      ]),
    );
    const second = await connector.poll(account, first.cursor);
    if (first.kind !== 'posts' || second.kind !== 'posts') throw new Error('expected posts twice');
    expect(second.cursor.etag).not.toBe(first.cursor.etag);
    const [before, after] = [first.posts[0].content, second.posts[0].content];
    expect(after.postId).toBe(before.postId);
    expect(after.text).toBe('The Ministry welcomes the talks and urges restraint.');
    expect(contentSha256(after)).not.toBe(contentSha256(before));
    // the untouched item stays identical, so it is not a new version
    expect(contentSha256(second.posts[1].content)).toBe(contentSha256(first.posts[1].content));
  });

  it('surfaces a feed that vanished as SourceNotFound when polling', async () => {
    const account = await resolved();
    server.removeFeed('/rss.xml');
    expect((await rejection(connector.poll(account, {}))).code).toBe(ErrorCode.SourceNotFound);
  });

  it('captures a feed URL as all of its items (capture, fetchAll)', async () => {
    server.setFeed(
      '/atom.xml',
      atomFeed({
        title: 'Presidency',
        link: '/en/',
        entries: [
          {
            id: 'tag:p,2026:1',
            title: 'Address',
            link: '/en/1',
            updated: '2026-04-01T12:00:00Z',
            content: { type: 'html', value: '<p>Address text</p>' },
          },
        ],
      }),
    );
    const { account, posts } = await connector.capture(new URL(server.url('/atom.xml')));
    expect((await connector.fetchAll(new URL(server.url('/atom.xml')))).posts).toHaveLength(1);
    expect(account.displayName).toBe('Presidency');
    expect(posts.map((post) => [post.content.postId, post.content.url, post.content.text])).toEqual([
      ['tag:p,2026:1', server.url('/en/1'), 'Address text'],
    ]);
    expect(posts[0].evidenceLevel).toBe('captured');
    expect(posts[0].artifacts.map((a) => a.role)).toEqual(['feed', 'response-head']);
  });

  describe('readCursor', () => {
    it('accepts a cursor never polled and a valid one', () => {
      expect(connector.readCursor({})).toEqual({});
      const valid = {
        etag: '"abc"',
        lastModified: 'Sun, 01 Mar 2026 10:00:00 GMT',
        bodySha256: 'a'.repeat(64),
      };
      expect(connector.readCursor(valid)).toEqual(valid);
    });

    it.each([
      ['a hash that is not SHA-256 hex', { bodySha256: 'abc' }],
      ['a number for an ETag', { etag: 5 }],
      ['an unknown key', { sinceId: '1' }],
      ['a string', 'etag'],
    ])('refuses %s as SourceInvalidCursor', (_what, stored) => {
      let error: unknown;
      try {
        connector.readCursor(stored);
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(SourceError);
      expect((error as SourceError).code).toBe(ErrorCode.SourceInvalidCursor);
    });
  });

  describe('fetchMany', () => {
    const refOf = (postId: string, path: string): PostRef => ({ postId, url: server.url(path) });
    const talks = () => refOf('a1b2c3', '/press/2');
    const briefing = () => refOf('d4e5f6', '/press/1');
    const kinds = (answers: PostAnswer[]) => answers.map((a) => a.kind);
    const detailOf = (answer: PostAnswer) => (answer.kind === 'unknown' ? answer.detail : `(${answer.kind})`);

    /** The tracked feed, then the feed without the briefing (it scrolled out or was taken down). */
    async function briefingLeftTheFeed(): Promise<ResolvedAccount> {
      const account = await resolved();
      server.setFeed('/rss.xml', pressFeed([ITEMS[0]]));
      return account;
    }

    async function withClient(
      options: Partial<HttpClientOptions>,
      connectorOptions: FeedConnectorOptions = {},
    ) {
      await http.close();
      http = testHttpClient(options);
      connector = new FeedConnector(http, connectorOptions);
    }

    it('answers found for items still in the feed, in the order asked, from one plain GET', async () => {
      const account = await resolved();
      const first = await connector.poll(account, {});
      const built = pressFeed();

      const answers = await connector.fetchMany(account, [briefing(), talks()]);

      expect(answers.map((a) => [a.kind, a.ref.postId])).toEqual([
        ['found', 'd4e5f6'],
        ['found', 'a1b2c3'],
      ]);
      // no validators: a 304 would not show which items the feed holds
      expect(first.cursor.etag).toBeDefined();
      expect(server.lastRequestHeaders('/rss.xml')?.['if-none-match']).toBeUndefined();
      expect(server.requestCount('/rss.xml')).toBe(3);
      for (const answer of answers) {
        if (answer.kind !== 'found') throw new Error('expected found');
        expect(answer.post.content.postId).toBe(answer.ref.postId);
        expect(answer.post.evidenceLevel).toBe('captured');
        expect(answer.post.artifacts.map((a) => a.role)).toEqual(['feed', 'response-head']);
        expect(answer.post.artifacts[0].bytes.equals(built.body)).toBe(true);
      }
    });

    it('is put off whole when our own load refuses the feed or a page: neither says anything of the posts', async () => {
      const account = await briefingLeftTheFeed();
      const overload = localOverload('not asked: this process is receiving too much');
      for (const refusedPath of ['/rss.xml', '/press/1']) {
        const busy: Pick<GuardedHttpClient, 'request'> = {
          request: (url, req) =>
            String(url).endsWith(refusedPath) ? Promise.reject(overload) : http.request(url, req),
        };
        const loaded = new FeedConnector(busy as GuardedHttpClient);
        await expect(loaded.fetchMany(account, [briefing(), talks()])).rejects.toBe(overload);
      }
    });

    it('matches items by the identity polls gave them (Atom id, link when there is no guid)', async () => {
      server.setFeed(
        '/atom.xml',
        atomFeed({
          title: 'Presidency',
          link: '/en/',
          entries: [{ id: 'tag:p,2026:1', title: 'Address', link: '/en/1', updated: '2026-04-01T12:00:00Z' }],
        }),
      );
      server.setFeed('/noguid.xml', pressFeed([{ title: 'No guid', link: '/press/9', pubDate: new Date() }]));
      for (const path of ['/atom.xml', '/noguid.xml']) {
        const account = await connector.resolve(new URL(server.url(path)));
        const polled = await connector.poll(account, {});
        if (polled.kind !== 'posts') throw new Error('expected posts');
        const refs = polled.posts.map((p) => ({ postId: p.content.postId, url: p.content.url }));
        expect(kinds(await connector.fetchMany(account, refs))).toEqual(['found']);
      }
    });

    it("answers not-found for an item gone from the feed whose page answers 404, with that page's answer", async () => {
      const account = await briefingLeftTheFeed();

      const answers = await connector.fetchMany(account, [talks(), briefing()]);

      expect(kinds(answers)).toEqual(['found', 'not-found']);
      const notFound = answers[1];
      if (notFound.kind !== 'not-found') throw new Error('expected not-found');
      expect(notFound.httpStatus).toBe(404);
      expect(notFound.evidence.map((a) => [a.role, a.mediaType])).toEqual([
        ['page', 'text/html; charset=utf-8'],
        ['response-head', 'message/http'],
      ]);
      expect(notFound.evidence[0].bytes.toString()).toBe('<html><body><h1>Not Found</h1></body></html>');
      expect(notFound.evidence[1].bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
      expect(server.requestCount('/press/1')).toBe(1);
      expect(server.requestCount('/press/2')).toBe(0);
    });

    it('answers gone for a page that answers 410', async () => {
      const account = await briefingLeftTheFeed();
      server.setFeed('/press/1', { body: '<p>Removed</p>', contentType: 'text/html', status: 410 });

      const [answer] = await connector.fetchMany(account, [briefing()]);

      expect(answer).toMatchObject({ kind: 'gone', httpStatus: 410 });
    });

    it('answers unknown for an item that left the feed but whose page still answers', async () => {
      const account = await briefingLeftTheFeed();
      server.setFeed('/press/1', { body: '<p>Briefing notes.</p>', contentType: 'text/html' });

      const [answer] = await connector.fetchMany(account, [briefing()]);

      expect(detailOf(answer)).toBe('no longer in the feed, but its page still answers (HTTP 200)');
    });

    it.each([
      ['a 500', 500, 'HTTP 500'],
      ['a 429', 429, 'HTTP 429'],
      ['a 403', 403, 'HTTP 403'],
    ])('answers unknown for a page that answers %s', async (_what, status, detail) => {
      const account = await briefingLeftTheFeed();
      server.setFeed('/press/1', { body: 'Busy', contentType: 'text/plain', status });

      const [answer] = await connector.fetchMany(account, [briefing()]);

      expect(answer.kind).toBe('unknown');
      expect(detailOf(answer)).toContain(detail);
    });

    it('answers unknown for a page that times out, and leaves its host alone for the rest of the call', async () => {
      await withClient({ totalTimeoutMs: 300 });
      const account = await resolved();
      server.setFeed('/rss.xml', pressFeed([]));
      server.setHang('/press/1');

      const answers = await connector.fetchMany(account, [briefing(), talks()]);

      expect(kinds(answers)).toEqual(['unknown', 'unknown']);
      expect(detailOf(answers[0])).toContain('timed out after 300 ms');
      expect(detailOf(answers[1])).toContain('not re-read after an earlier failure');
      expect(server.requestCount('/press/2')).toBe(0);
    });

    it.each([
      ['a 500', () => server.setFeed('/rss.xml', { body: 'oops', status: 500 }), 'HTTP 500'],
      ['a 429', () => server.setFeed('/rss.xml', { body: 'slow down', status: 429 }), 'HTTP 429'],
      [
        'a page that is not a feed',
        () => server.setFeed('/rss.xml', { body: '<html>Maintenance</html>', contentType: 'text/html' }),
        'did not return an RSS or Atom feed',
      ],
    ])(
      'answers unknown for every ref when the feed answers %s, and reads no page',
      async (_what, breakFeed, detail) => {
        const account = await resolved();
        breakFeed();

        const answers = await connector.fetchMany(account, [talks(), briefing()]);

        expect(kinds(answers)).toEqual(['unknown', 'unknown']);
        expect(detailOf(answers[0])).toContain(detail);
        expect(server.requestCount('/press/1') + server.requestCount('/press/2')).toBe(0);
      },
    );

    it('answers unknown for every ref when the feed times out', async () => {
      await withClient({ totalTimeoutMs: 300 });
      const account = await resolved();
      server.setHang('/rss.xml');

      const answers = await connector.fetchMany(account, [talks(), briefing()]);

      expect(kinds(answers)).toEqual(['unknown', 'unknown']);
      expect(detailOf(answers[1])).toContain('timed out after 300 ms');
    });

    it('looks for every item at its link when the feed itself is gone', async () => {
      const account = await resolved();
      server.removeFeed('/rss.xml');
      server.setFeed('/press/2', {
        body: '<p>The Ministry welcomes the talks.</p>',
        contentType: 'text/html',
      });

      const answers = await connector.fetchMany(account, [talks(), briefing()]);

      expect(kinds(answers)).toEqual(['unknown', 'not-found']);
      expect(detailOf(answers[0])).toContain('its page still answers');
    });

    it('re-reads at most maxLinkChecks pages per call; the rest are unknown', async () => {
      expect(FEED_MAX_LINK_CHECKS).toBe(50);
      await withClient({}, { maxLinkChecks: 2 });
      const account = await resolved();
      server.setFeed('/rss.xml', pressFeed([]));
      const refs = ['/gone/1', '/gone/2', '/gone/3'].map((path, i) => refOf(`item-${i}`, path));

      const answers = await connector.fetchMany(account, refs);

      expect(kinds(answers)).toEqual(['not-found', 'not-found', 'unknown']);
      expect(detailOf(answers[2])).toContain('at most 2 per re-check');
      expect(server.requestCount('/gone/3')).toBe(0);
    });

    it('answers unknown for an item without a page of its own, without reading the feed twice', async () => {
      const account = await resolved();
      server.setFeed('/rss.xml', pressFeed([]));
      const linkless = { postId: 'sha256:abc', url: account.handle };

      const [answer] = await connector.fetchMany(account, [linkless]);

      expect(detailOf(answer)).toBe('no longer in the feed, and it has no page of its own');
      expect(server.requestCount('/rss.xml')).toBe(2);
    });
  });
});
