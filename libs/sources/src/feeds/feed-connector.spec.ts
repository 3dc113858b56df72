import { testHttpClient } from '@app/testing/test-http-client';
import { contentSha256, ErrorCode, SourceError, sha256Hex } from '@app/core';
import {
  atomFeed,
  type FakeFeedServer,
  rssFeed,
  type RssItemSpec,
  startFakeFeedServer,
} from '@app/testing/fake-feed-server';
import { type ResolvedAccount } from '../connector';
import { type GuardedHttpClient } from '../http/guarded-http-client';
import { FeedConnector } from './feed-connector';

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
      expect(post.artifacts).toHaveLength(1);
      expect(post.artifacts[0]).toMatchObject({ role: 'feed', mediaType: built.contentType });
      expect(post.artifacts[0].bytes.equals(built.body)).toBe(true);
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

  it('captures a feed URL as all of its items (capture, fetchAll), and refuses fetchPost', async () => {
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
    const error = await rejection(connector.fetchPost(new URL(server.url('/atom.xml'))));
    expect(error.code).toBe(ErrorCode.UnsupportedUrl);
    expect(error.message).toContain('a feed URL captures all its items: track it or use fetchAll');
  });
});
