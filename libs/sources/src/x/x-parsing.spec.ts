import { testHttpClient } from '@app/testing/test-http-client';
import { type FakeX, startFakeX } from '@app/testing/fake-x';
import { ErrorCode, SourceError, contentSha256 } from '@app/core';
import { type FetchedPost, type PollResult, type ResolvedAccount } from '../connector';
import { type GuardedHttpClient } from '../http';
import { XConnector, type XCursor } from './x-connector';

// Parsing what the v2 API sends: long posts, edits, references, media, errors[]; and hostile answers.

let server: FakeX;
let http: GuardedHttpClient;
let account: ResolvedAccount;

beforeEach(async () => {
  server = await startFakeX();
  http = testHttpClient({ maxBytes: 1024 * 1024 });
  server.addUser({ username: 'mfa', name: 'MFA' });
  account = await connector().resolve(new URL('https://x.com/mfa'));
  server.requestLog.length = 0;
});

afterEach(async () => {
  await http.close();
  await server.close();
});

function connector(): XConnector {
  return new XConnector(http, {
    apiBaseUrl: server.origin,
    bearerToken: server.token,
    syndicationBaseUrl: server.origin,
    oembedBaseUrl: server.origin,
    monthlyReadBudget: 10_000,
  });
}

function postsOf(result: PollResult<XCursor>): FetchedPost[] {
  if (result.kind !== 'posts') throw new Error(`expected posts, got ${result.kind}`);
  return result.posts;
}

async function caught(promise: Promise<unknown>): Promise<SourceError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SourceError) return error;
    throw error;
  }
  throw new Error('expected a SourceError');
}

describe('X posts as records', () => {
  it('takes a long post from note_tweet, not the cut text', async () => {
    const long = `${'Ukraine will prevail. '.repeat(20)}End.`;
    server.publish('mfa', { text: long });
    const [post] = postsOf(await connector().poll(account, {}));
    const sent = JSON.parse(server.requestLog.at(-1)!.response!.body.toString()) as {
      data: { text: string; note_tweet?: { text: string } }[];
    };
    expect([...sent.data[0].text].length).toBe(280);
    expect(sent.data[0].note_tweet?.text).toBe(long);
    expect(post.content.text).toBe(long);
  });

  it('keys an edited post by the first id of its edit history: one statement, the newest version', async () => {
    const original = server.publish('mfa', { text: 'First wording', createdAt: '2024-05-01T10:00:00Z' });
    const firstPoll = await connector().poll(account, {});
    expect(postsOf(firstPoll)[0].content).toMatchObject({ postId: original.id, editedAt: null });
    const edited = server.edit(original.id, 'Second wording');
    const second = await connector().poll(account, firstPoll.cursor);
    const [post] = postsOf(second);
    expect(edited.id).not.toBe(original.id);
    expect(post.content).toMatchObject({
      postId: original.id,
      url: `https://x.com/mfa/status/${original.id}`,
      text: 'Second wording',
      authoredAt: '2024-05-01T10:00:00.000Z',
    });
    expect(post.content.editedAt).toBe(edited.createdAt);
    // the cursor moves to the edit's id, so a poll after it is quiet
    expect(second.cursor).toEqual({ sinceId: edited.id });
    expect((await connector().poll(account, second.cursor)).kind).toBe('unchanged');
  });

  it('flags replies, quotes and reposts; a repost shows the reposted words from includes', async () => {
    server.addUser({ username: 'embassy' });
    const other = server.publish('embassy', { text: 'Consular hours extended' });
    const plain = server.publish('mfa', { text: 'Statement' });
    const reply = server.publish('mfa', {
      text: 'Thread 2/2',
      references: [{ type: 'replied_to', id: plain.id }],
    });
    const quote = server.publish('mfa', { text: 'See this', references: [{ type: 'quoted', id: other.id }] });
    const repost = server.publish('mfa', {
      text: 'RT @embassy: Consular hours ext…',
      references: [{ type: 'retweeted', id: other.id }],
    });
    const byId = new Map(
      postsOf(await connector().poll(account, {})).map((p) => [p.content.postId, p.content]),
    );
    expect(byId.get(plain.id)).toMatchObject({ isReply: false, isQuote: false, isRepost: false });
    expect(byId.get(reply.id)).toMatchObject({ isReply: true, text: 'Thread 2/2' });
    expect(byId.get(quote.id)).toMatchObject({ isQuote: true, text: 'See this' });
    expect(byId.get(repost.id)).toMatchObject({ isRepost: true, text: 'Consular hours extended' });
  });

  it('lists photos by their file and videos by their best MP4', async () => {
    server.publish('mfa', {
      text: 'With media',
      media: [
        {
          type: 'photo',
          url: 'https://pbs.twimg.com/media/FMn.jpg',
          previewImageUrl: null,
          altText: 'The minister',
          variants: [],
        },
        {
          type: 'video',
          url: null,
          previewImageUrl: 'https://pbs.twimg.com/thumb.jpg',
          altText: null,
          variants: [
            { bitRate: 632000, contentType: 'video/mp4', url: 'https://video.twimg.com/low.mp4' },
            { bitRate: 2176000, contentType: 'video/mp4', url: 'https://video.twimg.com/high.mp4' },
            { bitRate: null, contentType: 'application/x-mpegURL', url: 'https://video.twimg.com/pl.m3u8' },
          ],
        },
      ],
    });
    const [post] = postsOf(await connector().poll(account, {}));
    expect(post.content.media).toEqual([
      {
        kind: 'photo',
        url: 'https://pbs.twimg.com/media/FMn.jpg',
        mediaType: null,
        description: 'The minister',
      },
      { kind: 'video', url: 'https://video.twimg.com/high.mp4', mediaType: 'video/mp4', description: null },
    ]);
  });

  it('lists the largest preview image of a link X unwound, which never makes a post look edited', async () => {
    const link = {
      expandedUrl: 'https://mfa.gov.example/en/news/talks',
      title: 'Statement on the talks',
      description: 'The ministry comments on the talks.',
      images: [
        { url: 'https://pbs.twimg.com/news_img/1?format=jpg&name=orig', width: 1200, height: 628 },
        { url: 'https://pbs.twimg.com/news_img/1?format=jpg&name=150x150', width: 150, height: 150 },
      ],
    };
    server.publish('mfa', { text: 'Statement on the talks', links: [link] });
    const [post] = postsOf(await connector().poll(account, {}));
    const asked = server.requestLog.at(-1)!.query.get('tweet.fields') ?? '';
    expect(asked.split(',')).toContain('entities');
    expect(post.content.media).toEqual([
      {
        kind: 'link-preview-image',
        url: 'https://pbs.twimg.com/news_img/1?format=jpg&name=orig',
        mediaType: null,
        description: 'Statement on the talks\nhttps://mfa.gov.example/en/news/talks',
      },
    ]);
    // X unwinds a link after the post: read before, the same post has no preview, and the same content hash
    expect(contentSha256(post.content)).toBe(contentSha256({ ...post.content, media: [] }));
  });

  it('answers a timeline of a protected account (errors[] in a 200) as SourceAuthRequired', async () => {
    server.protect('mfa');
    const error = await caught(connector().poll(account, {}));
    expect(error.code).toBe(ErrorCode.SourceAuthRequired);
    expect(error.message).toContain('is protected');
  });

  it('answers a timeline of a suspended account as SourceGone', async () => {
    server.suspend('mfa');
    expect((await caught(connector().poll(account, {}))).code).toBe(ErrorCode.SourceGone);
  });
});

describe('X failures and hostile answers', () => {
  it('maps a 429 to SourceRateLimited with the time from x-rate-limit-reset', async () => {
    const resetAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 600_000);
    server.fail({ mode: 'rate-limited', resetAt });
    const error = await caught(connector().poll(account, {}));
    expect(error.code).toBe(ErrorCode.SourceRateLimited);
    expect(error.retryAt?.toISOString()).toBe(resetAt.toISOString());
  });

  it('maps a 500 to SourceUnavailable', async () => {
    server.fail({ mode: 'server-error' });
    expect((await caught(connector().poll(account, {}))).code).toBe(ErrorCode.SourceUnavailable);
  });

  it('maps a body that is not JSON to SourceInvalidResponse', async () => {
    server.fail({ mode: 'garbage' });
    const error = await caught(connector().poll(account, {}));
    expect(error.code).toBe(ErrorCode.SourceInvalidResponse);
    expect(error.message).toContain('not JSON');
  });

  it('refuses a body over the size limit without reading it all', async () => {
    server.fail({ mode: 'huge', hugeBytes: 3 * 1024 * 1024 });
    expect((await caught(connector().poll(account, {}))).code).toBe(ErrorCode.SourceRefused);
  });

  it.each([
    ['a number id', { id: 1497866361, text: 'x', edit_history_tweet_ids: ['1497866361'] }],
    ['an absurd id', { id: '9'.repeat(40), text: 'x', edit_history_tweet_ids: ['9'.repeat(40)] }],
    ['an empty edit history', { id: '1497866361', text: 'x', edit_history_tweet_ids: [] }],
    [
      'a post of another user',
      { id: '1497866361', text: 'x', edit_history_tweet_ids: ['1497866361'], author_id: '42' },
    ],
  ])('refuses %s as SourceInvalidResponse', async (_what, tweet) => {
    const body = Buffer.from(JSON.stringify({ data: [tweet], meta: { result_count: 1 } }));
    const stub = new XConnector(
      {
        request: () =>
          Promise.resolve({
            status: 200,
            headers: {},
            head: Buffer.from('HTTP/1.1 200 OK\r\n\r\n'),
            body,
            url: 'http://x/',
            redirects: [],
          }),
      },
      {
        apiBaseUrl: 'http://x',
        bearerToken: 't',
        syndicationBaseUrl: 'http://x',
        oembedBaseUrl: 'http://x',
        monthlyReadBudget: 1,
      },
    );
    expect((await caught(stub.poll(account, {}))).code).toBe(ErrorCode.SourceInvalidResponse);
  });

  it('gives up on a server that hangs within the time limit', async () => {
    const short = testHttpClient({ totalTimeoutMs: 500 });
    server.fail({ mode: 'hang' });
    const c = new XConnector(short, {
      apiBaseUrl: server.origin,
      bearerToken: server.token,
      syndicationBaseUrl: server.origin,
      oembedBaseUrl: server.origin,
      monthlyReadBudget: 1,
    });
    expect((await caught(c.poll(account, {}))).code).toBe(ErrorCode.SourceUnavailable);
    await short.close();
  });
});
