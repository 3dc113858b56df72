import { testHttpClient } from '@app/testing/test-http-client';
import { type FakeX, kulebaXPost, KULEBA_STATEMENT_TEXT, startFakeX } from '@app/testing/fake-x';
import { ErrorCode, SourceError, VerbatimError } from '@app/core';
import { type FetchedPost, type PollResult, type ReadMeter, type ResolvedAccount } from '../connector';
import { type GuardedHttpClient } from '../http';
import { X_TOKEN_NEEDED, XConnector, type XConnectorOptions, type XCursor } from './x-connector';
import { syndicationToken } from './x-syndication-token';
import { recordingJsonParsing } from '@app/testing/recording-json-parsing';

let server: FakeX;
let http: GuardedHttpClient;

beforeEach(async () => {
  server = await startFakeX();
  http = testHttpClient({ maxBytes: 1024 * 1024 });
});

afterEach(async () => {
  await http.close();
  await server.close();
});

function connector(options: Partial<XConnectorOptions> = {}): XConnector {
  return new XConnector(http, {
    apiBaseUrl: server.origin,
    bearerToken: server.token,
    syndicationBaseUrl: server.origin,
    oembedBaseUrl: server.origin,
    monthlyReadBudget: 10_000,
    ...options,
  });
}

function meter(left = Number.POSITIVE_INFINITY): ReadMeter & { used: number } {
  const m = {
    used: 0,
    get remaining() {
      return left - m.used;
    },
    add(n: number) {
      m.used += n;
    },
  };
  return m;
}

function postsOf(result: PollResult<XCursor>): FetchedPost[] {
  if (result.kind !== 'posts') throw new Error(`expected posts, got ${result.kind}`);
  return result.posts;
}

async function caught(promise: Promise<unknown>): Promise<VerbatimError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VerbatimError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

async function tracked(username = 'mfa'): Promise<ResolvedAccount> {
  if (!server.store.userByUsername(username)) server.addUser({ username, name: 'MFA of Ukraine' });
  return connector().resolve(new URL(`https://x.com/${username}`));
}

describe('XConnector: URLs', () => {
  const c = new XConnector(
    { request: () => Promise.reject(new Error('no I/O')) },
    {
      apiBaseUrl: 'https://api.x.com',
      bearerToken: null,
      syndicationBaseUrl: 'https://cdn.syndication.twimg.com',
      oembedBaseUrl: 'https://publish.x.com',
      monthlyReadBudget: 1,
    },
  );

  it.each([
    'https://x.com/DmytroKuleba',
    'https://twitter.com/DmytroKuleba/',
    'https://mobile.twitter.com/DmytroKuleba',
    'https://www.x.com/DmytroKuleba',
    'https://www.twitter.com/DmytroKuleba',
  ])('tracks the profile URL a person copies: %s', (url) => {
    expect(c.canTrack(new URL(url))).toBe(true);
    expect(c.canCapture(new URL(url))).toBe(false);
  });

  it.each([
    'https://x.com/DmytroKuleba/status/1497866361043742722',
    'https://twitter.com/DmytroKuleba/status/1497866361043742722/',
    'https://mobile.twitter.com/DmytroKuleba/status/1497866361043742722/photo/1',
  ])('captures a post URL: %s', (url) => {
    expect(c.canCapture(new URL(url))).toBe(true);
    expect(c.canTrack(new URL(url))).toBe(false);
  });

  it.each([
    'https://x.com/home',
    'https://x.com/i/flow/login',
    'https://x.com/a_name_far_too_long_for_x',
    'https://x.com/user/status/99999999999999999999999',
    'https://x.com/user/status/0',
    'https://example.org/DmytroKuleba',
  ])('declines %s, and owns the X hosts', (url) => {
    expect(c.canTrack(new URL(url))).toBe(false);
    expect(c.canCapture(new URL(url))).toBe(false);
  });

  it('owns x.com and twitter.com hosts only', () => {
    expect(c.ownsHost(new URL('https://x.com/home'))).toBe(true);
    expect(c.ownsHost(new URL('https://twitter.com/explore'))).toBe(true);
    expect(c.ownsHost(new URL('https://example.org/'))).toBe(false);
  });

  it('computes the syndication token as react-tweet does', () => {
    expect(syndicationToken('1703436713362870723')).toBe('44ni5iyte19');
  });

  it('validates its cursor', () => {
    expect(c.readCursor({})).toEqual({});
    expect(c.readCursor({ sinceId: '1497866361043742722' })).toEqual({ sinceId: '1497866361043742722' });
    for (const bad of [{ sinceId: 1497866361 }, { sinceId: 'x' }, { sinceId: '1'.repeat(30) }, 'x']) {
      expect(() => c.readCursor(bad)).toThrow(SourceError);
    }
  });
});

describe('XConnector: resolve', () => {
  it('looks the user up by username, whatever host the URL names', async () => {
    const user = server.addUser({ username: 'DmytroKuleba', name: 'Dmytro Kuleba' });
    const account = await connector().resolve(new URL('https://mobile.twitter.com/dmytrokuleba'));
    expect(account).toEqual({
      platform: 'x',
      handle: 'DmytroKuleba',
      externalId: user.id,
      displayName: 'Dmytro Kuleba',
      profileUrl: 'https://x.com/DmytroKuleba',
      sourceUrl: server.origin,
    });
    expect(server.requestLog[0].path).toBe('/2/users/by/username/dmytrokuleba');
    expect(server.requestLog[0].headers.authorization).toBe(`Bearer ${server.token}`);
  });

  it('answers an unknown user (a 200 with errors[]) as SourceNotFound, a suspended one as SourceGone', async () => {
    expect((await caught(connector().resolve(new URL('https://x.com/nobody')))).code).toBe(
      ErrorCode.SourceNotFound,
    );
    server.addUser({ username: 'gone' });
    server.suspend('gone');
    expect((await caught(connector().resolve(new URL('https://x.com/gone')))).code).toBe(
      ErrorCode.SourceGone,
    );
  });

  it('without a token refuses to track, saying the token is needed', async () => {
    const error = await caught(connector({ bearerToken: null }).resolve(new URL('https://x.com/mfa')));
    expect(error).not.toBeInstanceOf(SourceError);
    expect(error.code).toBe(ErrorCode.InvalidInput);
    expect(error.message).toBe(X_TOKEN_NEEDED);
    expect(error.message).toContain('VERBATIM_X_BEARER_TOKEN');
    expect(server.requestLog).toHaveLength(0);
  });

  it('refuses a wrong token as SourceAuthRequired, without repeating it', async () => {
    const error = await caught(
      connector({ bearerToken: 'wrong-token' }).resolve(new URL('https://x.com/mfa')),
    );
    expect(error.code).toBe(ErrorCode.SourceAuthRequired);
    expect(error.message).toContain('VERBATIM_X_BEARER_TOKEN');
    expect(error.message).not.toContain('wrong-token');
  });
});

describe('XConnector: poll', () => {
  it('backfills newest first through next_token, returns posts oldest first and counts the reads', async () => {
    const account = await tracked();
    const ids = Array.from(
      { length: 130 },
      (_, i) => server.publish('mfa', { text: `Statement ${i + 1}` }).id,
    );
    server.requestLog.length = 0;
    const reads = meter();
    const result = await connector({ backfillLimit: 120 }).poll(account, {}, reads);
    const posts = postsOf(result);
    expect(posts.map((p) => p.content.postId)).toEqual(ids.slice(10));
    expect(result.cursor).toEqual({ sinceId: ids[129] });
    expect(reads.used).toBe(120);
    const queries = server.requestLog.map((r) => r.query);
    expect(queries.map((q) => q.get('max_results'))).toEqual(['100', '20']);
    expect(queries[1].get('pagination_token')).toMatch(/\S/);
    expect(queries[0].get('tweet.fields')).toContain('note_tweet');
    expect(queries[0].get('expansions')).toBe('attachments.media_keys,referenced_tweets.id');
    expect(posts[0].content).toMatchObject({
      platform: 'x',
      account: 'mfa',
      url: `https://x.com/mfa/status/${ids[10]}`,
      text: 'Statement 11',
      html: null,
      language: 'en',
      editedAt: null,
    });
    expect(posts.every((p) => p.evidenceLevel === 'captured' && p.content.via === undefined)).toBe(true);
  });

  it('reads everything after since_id across pages, then says unchanged', async () => {
    const account = await tracked();
    server.publish('mfa', { text: 'Before' });
    const first = await connector().poll(account, {});
    const burst = Array.from({ length: 105 }, (_, i) => server.publish('mfa', { text: `Burst ${i}` }).id);
    const second = await connector().poll(account, first.cursor);
    expect(postsOf(second).map((p) => p.content.postId)).toEqual(burst);
    expect(server.requestLog.at(-1)?.query.get('since_id')).toBe(first.cursor.sinceId);
    const third = await connector().poll(account, second.cursor);
    expect(third).toEqual({ kind: 'unchanged', httpStatus: 200, cursor: second.cursor });
  });

  it('stops paging when the read budget is used up', async () => {
    const account = await tracked();
    for (let i = 0; i < 30; i++) server.publish('mfa', { text: `S${i}` });
    const reads = meter(0);
    const result = await connector().poll(account, {}, reads);
    expect(result.kind).toBe('unchanged');
    expect(server.requestLog.filter((r) => r.path.includes('/tweets'))).toHaveLength(0);
  });

  it('keeps the exact bytes and head of the page as artifacts', async () => {
    const account = await tracked();
    server.publish('mfa', { text: 'Fish & <chips>' });
    const [post] = postsOf(await connector().poll(account, {}));
    const sent = server.requestLog.at(-1)!.response!;
    expect(post.artifacts[0]).toEqual({
      role: 'response',
      mediaType: 'application/json',
      bytes: sent.body,
      url: `${server.origin}${server.requestLog.at(-1)!.path}`,
    });
    expect(post.artifacts[1].role).toBe('response-head');
    expect(post.artifacts[1].bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(post.artifacts[1].bytes.toString('latin1')).toContain('x-rate-limit-remaining: 899\r\n');
    // X escapes &, < and > in text; the record has the words as written
    expect(sent.body.toString()).toContain('Fish &amp; &lt;chips&gt;');
    expect(post.content.text).toBe('Fish & <chips>');
  });
});

describe('XConnector: capture', () => {
  it('captures a post through the API with a token, counting one read', async () => {
    const post = kulebaXPost(server);
    const reads = meter();
    const { account, posts } = await connector().capture(
      new URL(`https://twitter.com/DmytroKuleba/status/${post.id}`),
      reads,
    );
    expect(account.handle).toBe('DmytroKuleba');
    expect(posts[0].content).toMatchObject({
      postId: post.id,
      text: KULEBA_STATEMENT_TEXT,
      authoredAt: '2022-02-27T08:33:10.000Z',
      parserVersion: 'x-api/1',
    });
    expect(posts[0].content.via).toBeUndefined();
    expect(reads.used).toBe(1);
  });

  it('without a token captures through syndication, marked as read via the embed endpoint', async () => {
    const post = kulebaXPost(server);
    const { account, posts } = await connector({ bearerToken: null }).capture(
      new URL(`https://x.com/DmytroKuleba/status/${post.id}`),
    );
    const request = server.requestLog[0];
    expect(request.path.startsWith('/tweet-result?')).toBe(true);
    expect(request.query.get('token')).toBe(syndicationToken(post.id));
    expect(request.headers.authorization).toBeUndefined();
    expect(account).toMatchObject({
      handle: 'DmytroKuleba',
      externalId: server.store.userByUsername('DmytroKuleba')!.id,
    });
    expect(posts[0].content).toMatchObject({
      postId: post.id,
      text: KULEBA_STATEMENT_TEXT,
      authoredAt: '2022-02-27T08:33:10.000Z',
      via: 'x-syndication',
      parserVersion: 'x-syndication/1',
    });
    expect(posts[0].evidenceLevel).toBe('captured');
  });

  it('falls back to oEmbed when syndication fails, dating the post by its id', async () => {
    const post = kulebaXPost(server);
    server.fail({ mode: 'server-error', exactPath: '/tweet-result' });
    const { posts } = await connector({ bearerToken: null }).capture(
      new URL(`https://x.com/DmytroKuleba/status/${post.id}`),
    );
    expect(server.requestLog.map((r) => r.path.split('?')[0])).toEqual(['/tweet-result', '/oembed']);
    expect(posts[0].content).toMatchObject({
      text: KULEBA_STATEMENT_TEXT,
      via: 'x-oembed',
      language: 'en',
      authoredAt: '2022-02-27T08:33:10.000Z',
    });
  });

  it('answers a TweetTombstone as SourceGone and a deleted post as SourceNotFound', async () => {
    const a = kulebaXPost(server);
    server.withhold(a.id);
    const c = connector({ bearerToken: null });
    expect((await caught(c.capture(new URL(`https://x.com/DmytroKuleba/status/${a.id}`)))).code).toBe(
      ErrorCode.SourceGone,
    );
    const b = server.publish('DmytroKuleba', { text: 'soon gone' });
    server.remove(b.id);
    expect((await caught(c.capture(new URL(`https://x.com/DmytroKuleba/status/${b.id}`)))).code).toBe(
      ErrorCode.SourceNotFound,
    );
  });
});

describe('XConnector: where bodies are read', () => {
  it('reads every API and embed body through the JSON parsing it is given (a thread for big ones, when served)', async () => {
    const { parsing, shapes } = recordingJsonParsing();
    const account = await tracked();
    const post = server.publish('mfa', { text: 'Read through the parsing given.' });
    const api = connector({ parsing });
    await api.resolve(new URL('https://x.com/mfa'));
    expect(postsOf(await api.poll(account, {}))).toHaveLength(1);
    await api.capture(new URL(`https://x.com/mfa/status/${post.id}`));
    expect((await api.fetchMany(account, [{ postId: post.id, url: '' }]))[0].kind).toBe('found');
    const embed = connector({ bearerToken: null, parsing });
    await embed.capture(new URL(`https://x.com/mfa/status/${post.id}`));
    server.fail({ mode: 'server-error', exactPath: '/tweet-result' });
    await embed.capture(new URL(`https://x.com/mfa/status/${post.id}`));
    expect(shapes).toEqual(['x-user', 'x-timeline-page', 'x-post', 'x-posts', 'x-syndication', 'x-oembed']);
  });
});
