import { testHttpClient } from '@app/testing/test-http-client';
import { ErrorCode, SourceError } from '@app/core';
import {
  type FakeMastodon,
  KULEBA_STATEMENT_HTML,
  KULEBA_STATEMENT_TEXT,
  kulebaStatement,
  startFakeMastodon,
} from '@app/testing/fake-mastodon';
import { type FetchedPost, type PollResult, type ResolvedAccount } from '../connector';
import { type GuardedHttpClient, type HttpResponse } from '../http';
import { MastodonConnector, type MastodonConnectorOptions, type MastodonCursor } from './mastodon-connector';
import { type MastodonParsing, inThreadMastodonParsing } from './mastodon-parsing';

let server: FakeMastodon;
let http: GuardedHttpClient;

const client = () => testHttpClient();

async function setUp(options: { firstId?: number } = {}) {
  server = await startFakeMastodon(options);
  http = client();
}

afterEach(async () => {
  await http?.close();
  await server?.close();
});

const connector = (options: MastodonConnectorOptions = {}) => new MastodonConnector(http, options);

function publishMany(username: string, count: number, label: string): string[] {
  return Array.from(
    { length: count },
    (_, i) => server.publish(username, { content: `${label} ${i + 1}` }).id,
  );
}

async function resolved(username: string): Promise<ResolvedAccount> {
  return connector().resolve(new URL(`${server.origin}/@${username}`));
}

function postsOf(result: PollResult<MastodonCursor>): FetchedPost[] {
  if (result.kind !== 'posts') throw new Error(`expected posts, got ${result.kind}`);
  return result.posts;
}

/** A response as a stub client would hand it over, with a plausible head. */
function stubResponse(url: string | URL, body: Buffer, headers: Record<string, string> = {}): HttpResponse {
  const head = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n\r\n');
  return { status: 200, headers, head, body, url: String(url), redirects: [] };
}

/** The status line and the headers the fake server wrote (a 200), as the client keeps them. */
function headAsSent(response: { headers: Record<string, string> }): string {
  return Object.entries(response.headers).reduce(
    (head, [name, value]) => `${head}${name}: ${value}\r\n`,
    'HTTP/1.1 200 OK\r\n',
  );
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

describe('MastodonConnector', () => {
  describe('URL recognition', () => {
    const c = new MastodonConnector({ request: () => Promise.reject(new Error('no I/O expected')) });

    it('tracks profiles and captures posts, not the other way round', () => {
      expect(c.canTrack(new URL('https://mastodon.social/@Gargron'))).toBe(true);
      expect(c.canTrack(new URL('https://mastodon.social/users/Gargron'))).toBe(true);
      expect(c.canTrack(new URL('https://mastodon.social/@Gargron/103270115826048975'))).toBe(false);
      expect(c.canCapture(new URL('https://mastodon.social/@Gargron/103270115826048975'))).toBe(true);
      expect(c.canCapture(new URL('https://mastodon.social/users/Gargron/statuses/1'))).toBe(true);
      expect(c.canCapture(new URL('https://mastodon.social/@Gargron'))).toBe(false);
      expect(c.canTrack(new URL('https://example.org/feed.xml'))).toBe(false);
    });
  });

  describe('readCursor', () => {
    const c = new MastodonConnector({ request: () => Promise.reject(new Error('no I/O expected')) });

    it('accepts a cursor never polled and a valid one', () => {
      expect(c.readCursor({})).toEqual({});
      expect(c.readCursor(null)).toEqual({});
      expect(c.readCursor({ sinceId: '109348677773283527' })).toEqual({ sinceId: '109348677773283527' });
    });

    it.each([
      ['a non-numeric id', { sinceId: 'abc' }],
      ['a number', { sinceId: 5 }],
      ['an unknown key', { sinceId: '1', etag: 'W/"x"' }],
      ['a string', 'since 12'],
      ['a list', ['1']],
    ])('refuses %s as SourceInvalidCursor', (_what, stored) => {
      let error: unknown;
      try {
        c.readCursor(stored);
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(SourceError);
      expect((error as SourceError).code).toBe(ErrorCode.SourceInvalidCursor);
      expect((error as SourceError).message).toContain('the stored Mastodon poll cursor is not valid');
    });
  });

  describe('resolve', () => {
    it('looks the account up on its instance', async () => {
      await setUp();
      const added = server.addAccount({ username: 'DmytroKuleba', displayName: 'Dmytro Kuleba' });
      const account = await resolved('DmytroKuleba');
      expect(account).toEqual({
        platform: 'mastodon',
        handle: `DmytroKuleba@${server.host}`,
        externalId: added.id,
        displayName: 'Dmytro Kuleba',
        profileUrl: `${server.origin}/@DmytroKuleba`,
        sourceUrl: server.origin,
      });
      expect(server.requestLog.map((r) => r.path)).toEqual(['/api/v1/accounts/lookup?acct=DmytroKuleba']);
    });

    it('falls back to the username when there is no display name', async () => {
      await setUp();
      server.addAccount({ username: 'mfa_ukraine' });
      expect((await connector().resolve(new URL(`${server.origin}/users/mfa_ukraine`))).displayName).toBe(
        'mfa_ukraine',
      );
    });

    it('reports an unknown account as SourceNotFound', async () => {
      await setUp();
      const error = await caught(resolved('nobody'));
      expect(error.code).toBe(ErrorCode.SourceNotFound);
      expect(error.message).toBe(`no account @nobody on ${server.host}`);
    });
  });

  describe('poll', () => {
    it('backfills newest first across pages up to the limit and returns them oldest first', async () => {
      await setUp();
      server.addAccount({ username: 'mfa' });
      const ids = publishMany('mfa', 95, 'Statement');
      const account = await resolved('mfa');
      server.requestLog.length = 0;

      const result = await connector({ backfillLimit: 90 }).poll(account, {});

      const posts = postsOf(result);
      expect(posts.map((p) => p.content.postId)).toEqual(ids.slice(5));
      expect(posts[0].content.text).toBe('Statement 6');
      expect(result.cursor).toEqual({ sinceId: ids[94] });
      expect(server.requestLog.map((r) => Object.fromEntries(r.query))).toEqual([
        { limit: '40' },
        { limit: '40', max_id: ids[55] },
        { limit: '10', max_id: ids[15] },
      ]);
    });

    it('stops the backfill when the server has no older page', async () => {
      await setUp();
      server.addAccount({ username: 'mfa' });
      const ids = publishMany('mfa', 45, 'Statement');
      const result = await connector().poll(await resolved('mfa'), {});
      expect(postsOf(result).map((p) => p.content.postId)).toEqual(ids);
      // 40, then 5 with no rel="next"
      expect(server.requestLog.filter((r) => r.path.includes('/statuses')).length).toBe(2);
    });

    it('after a burst of more than a page returns every new post once, with no gap', async () => {
      await setUp({ firstId: 8 }); // ids cross 9 -> 10 and 99 -> 100: they must compare as numbers
      server.addAccount({ username: 'mfa' });
      publishMany('mfa', 3, 'Before');
      const account = await resolved('mfa');
      const first = await connector().poll(account, {});
      expect(first.cursor.sinceId).toBe('10');

      const burst = publishMany('mfa', 95, 'Burst');
      server.requestLog.length = 0;
      const second = await connector().poll(account, first.cursor);

      const ids = postsOf(second).map((p) => p.content.postId);
      expect(ids).toEqual(burst);
      expect(new Set(ids).size).toBe(95);
      expect(second.cursor).toEqual({ sinceId: burst[94] });
      expect(burst[94]).toBe('105');
      // walked forward with min_id, never since_id, until an empty page
      expect(server.requestLog.map((r) => r.query.get('min_id'))).toEqual(['10', '50', '90', '105']);
      expect(server.requestLog.every((r) => !r.query.has('since_id'))).toBe(true);
    });

    it('says unchanged when nothing is new, keeping the cursor', async () => {
      await setUp();
      server.addAccount({ username: 'mfa' });
      publishMany('mfa', 2, 'Statement');
      const account = await resolved('mfa');
      const first = await connector().poll(account, {});
      const again = await connector().poll(account, first.cursor);
      expect(again).toEqual({ kind: 'unchanged', httpStatus: 200, cursor: first.cursor });
    });

    it('says unchanged for an account with no posts', async () => {
      await setUp();
      server.addAccount({ username: 'quiet' });
      const result = await connector().poll(await resolved('quiet'), {});
      expect(result.kind).toBe('unchanged');
      expect(result.cursor).toEqual({});
    });

    it('keeps the exact bytes and head of each page as the artifacts of the posts it served', async () => {
      await setUp();
      server.addAccount({ username: 'mfa' });
      publishMany('mfa', 45, 'Fish & <chips>');
      const account = await resolved('mfa');
      server.requestLog.length = 0;
      const posts = postsOf(await connector().poll(account, {}));

      const [newestResponse, olderResponse] = server.requestLog.map((r) => r.response!);
      const newestUrl = `${server.origin}${server.requestLog[0].path}`;
      const newestPage = newestResponse.body;
      const olderPage = olderResponse.body;
      const newest = posts[posts.length - 1];
      const oldest = posts[0];
      expect(newest.artifacts).toEqual([
        { role: 'response', mediaType: 'application/json', bytes: newestPage, url: newestUrl },
        { role: 'response-head', mediaType: 'message/http', bytes: expect.any(Buffer), url: newestUrl },
      ]);
      // the headers the fake wrote, in its order and case; Node adds Date and Connection after them
      const head = newest.artifacts[1].bytes.toString('latin1');
      expect(head.startsWith(headAsSent(newestResponse))).toBe(true);
      expect(head.endsWith('\r\n\r\n')).toBe(true);
      expect(posts.every((p) => p.evidenceLevel === 'captured')).toBe(true);
      expect(oldest.artifacts[0].bytes.equals(olderPage)).toBe(true);
      // Rails escapes HTML in JSON: the bytes are kept as sent, not re-serialized
      expect(newestPage.toString()).toContain('\\u003cp\\u003eFish \\u0026amp; \\u0026lt;chips\\u0026gt; 45');
      expect(newest.content.html).toBe('<p>Fish &amp; &lt;chips&gt; 45</p>');
      expect(newest.content.text).toBe('Fish & <chips> 45');
    });

    it('flags replies, boosts and quotes; a boost shows the boosted words under its own id', async () => {
      await setUp();
      server.addAccount({ username: 'mfa' });
      server.addAccount({ username: 'embassy' });
      const original = server.publish('embassy', {
        content: 'Consular hours extended',
        media: [{ type: 'image', description: 'Queue' }],
      });
      const account = await resolved('mfa');
      const plain = server.publish('mfa', { content: 'Statement' });
      const reply = server.publish('mfa', { content: 'Thread, 2/2', inReplyToId: plain.id });
      const boost = server.publish('mfa', { reblogOf: original.id });
      const quote = server.publish('mfa', { content: 'See this', quoteOf: original.id });

      const posts = postsOf(await connector().poll(account, {}));
      const byId = new Map(posts.map((p) => [p.content.postId, p.content]));
      expect(byId.get(plain.id)).toMatchObject({ isReply: false, isRepost: false, isQuote: false });
      expect(byId.get(reply.id)).toMatchObject({ isReply: true, isRepost: false, text: 'Thread, 2/2' });
      expect(byId.get(quote.id)).toMatchObject({ isQuote: true, isRepost: false });
      expect(byId.get(boost.id)).toMatchObject({
        account: account.handle,
        postId: boost.id,
        url: `${server.origin}/users/mfa/statuses/${boost.id}/activity`,
        isRepost: true,
        text: 'Consular hours extended',
        media: [
          {
            kind: 'image',
            url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/system\/media_attachments\//),
            mediaType: null,
            description: 'Queue',
          },
        ],
      });
    });

    it('maps 401 to SourceAuthRequired (limited federation)', async () => {
      await setUp();
      server.addAccount({ username: 'mfa' });
      const account = await resolved('mfa');
      server.fail({ mode: 'unauthorized', username: 'mfa' });
      const error = await caught(connector().poll(account, {}));
      expect(error.code).toBe(ErrorCode.SourceAuthRequired);
      expect(error.message).toBe(
        `${server.host} requires authentication to read this account (limited federation)`,
      );
    });

    it('maps 404 to SourceNotFound (account gone)', async () => {
      await setUp();
      server.addAccount({ username: 'mfa' });
      const account = await resolved('mfa');
      server.fail({ mode: 'not-found', path: '/api/v1/accounts/' });
      const error = await caught(connector().poll(account, { sinceId: '1' }));
      expect(error.code).toBe(ErrorCode.SourceNotFound);
      expect(error.httpStatus).toBe(404);
    });

    it('maps 429 to SourceRateLimited with retryAt from X-RateLimit-Reset', async () => {
      await setUp();
      server.addAccount({ username: 'mfa' });
      const account = await resolved('mfa');
      // within the client's maximum wait (a reset further away is clamped to it)
      const resetAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 600_000);
      server.fail({ mode: 'rate-limited', resetAt });
      const error = await caught(connector().poll(account, {}));
      expect(error.code).toBe(ErrorCode.SourceRateLimited);
      expect(error.retryAt?.toISOString()).toBe(resetAt.toISOString());
      expect(server.requestLog.at(-1)?.response?.headers['X-RateLimit-Reset']).toBe(
        resetAt.toISOString().replace('.000Z', '.000000Z'),
      );
    });

    it('maps a 500 to SourceUnavailable', async () => {
      await setUp();
      server.addAccount({ username: 'mfa' });
      const account = await resolved('mfa');
      server.fail({ mode: 'server-error' });
      expect((await caught(connector().poll(account, {}))).code).toBe(ErrorCode.SourceUnavailable);
    });

    it.each(['garbage', 'wrong-shape'] as const)('maps a %s body to SourceInvalidResponse', async (mode) => {
      await setUp();
      server.addAccount({ username: 'mfa' });
      publishMany('mfa', 1, 'Statement');
      const account = await resolved('mfa');
      server.fail({ mode });
      expect((await caught(connector().poll(account, {}))).code).toBe(ErrorCode.SourceInvalidResponse);
    });

    it('refuses statuses of another account in the listing', async () => {
      await setUp();
      server.addAccount({ username: 'mfa' });
      const other = server.addAccount({ username: 'other' });
      const foreign = server.publish('other', { content: 'Not ours' });
      const account = await resolved('mfa');
      // an instance that answers the account's listing with someone else's post
      const body = Buffer.from(JSON.stringify([server.statusJson(foreign.id)]));
      const lying = new MastodonConnector({ request: (url) => Promise.resolve(stubResponse(url, body)) });
      const error = await caught(lying.poll(account, {}));
      expect(error.code).toBe(ErrorCode.SourceInvalidResponse);
      expect(error.message).toContain(`status ${foreign.id} belongs to account ${other.id}`);
    });
  });

  describe('poll against a server that does not move forward', () => {
    it('stops instead of asking for the same page again', async () => {
      await setUp();
      server.addAccount({ username: 'mfa' });
      const [id] = publishMany('mfa', 1, 'Statement');
      const account = await resolved('mfa');
      const body = Buffer.from(JSON.stringify([server.statusJson(id)]));
      const requested: string[] = [];
      const stuck = new MastodonConnector({
        request: (url) => {
          requested.push(String(url));
          const link = `<${server.origin}/api/v1/accounts/${account.externalId}/statuses?min_id=1>; rel="prev"`;
          return Promise.resolve(stubResponse(url, body, { link }));
        },
      });
      const result = await stuck.poll(account, { sinceId: '1' });
      expect(postsOf(result).map((p) => p.content.postId)).toEqual([id]);
      expect(requested.length).toBe(1);
    });
  });

  describe('fetchPost', () => {
    it('captures the Kuleba statement with its account', async () => {
      await setUp();
      const status = kulebaStatement(server);
      const { account, post } = await connector().fetchPost(new URL(status.url as string));
      expect(account).toMatchObject({ handle: `DmytroKuleba@${server.host}`, displayName: 'Dmytro Kuleba' });
      expect(post.content).toEqual({
        platform: 'mastodon',
        account: `DmytroKuleba@${server.host}`,
        postId: status.id,
        url: `${server.origin}/@DmytroKuleba/${status.id}`,
        authoredAt: '2022-02-27T08:33:10.912Z',
        editedAt: null,
        title: null,
        text: KULEBA_STATEMENT_TEXT,
        html: KULEBA_STATEMENT_HTML,
        language: 'en',
        media: [],
        isReply: false,
        isRepost: false,
        isQuote: false,
        parserVersion: 'mastodon/1',
      });
      expect(post.evidenceLevel).toBe('captured');
      expect(post.artifacts.map((a) => a.role)).toEqual(['response', 'response-head']);
      expect(post.artifacts[0].bytes.equals(server.requestLog.at(-1)!.response!.body)).toBe(true);
      expect(post.artifacts[1].bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n(.+\r\n)+\r\n$/);
    });

    it('sees an edit: editedAt set and the new text', async () => {
      await setUp();
      server.addAccount({ username: 'mfa' });
      const status = server.publish('mfa', { content: 'First wording' });
      const url = new URL(`${server.origin}/users/mfa/statuses/${status.id}`);
      const before = (await connector().fetchPost(url)).post.content;
      server.edit(status.id, 'Second wording\nwith a line break');
      const after = (await connector().fetchPost(url)).post.content;
      expect(before.editedAt).toBeNull();
      expect(after.editedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(after.html).toBe('<p>Second wording<br />with a line break</p>');
      expect(after.text).toBe('Second wording\nwith a line break');
      expect(after.authoredAt).toBe(before.authoredAt);
    });

    it('reports a deleted post as SourceNotFound', async () => {
      await setUp();
      server.addAccount({ username: 'mfa' });
      const status = server.publish('mfa', { content: 'Soon gone' });
      server.remove(status.id);
      const error = await caught(connector().fetchPost(new URL(`${server.origin}/@mfa/${status.id}`)));
      expect(error.code).toBe(ErrorCode.SourceNotFound);
    });

    it('does not attribute a post to a user who did not write it', async () => {
      await setUp();
      server.addAccount({ username: 'mfa' });
      server.addAccount({ username: 'impostor' });
      const status = server.publish('mfa', { content: 'Real statement' });
      const error = await caught(connector().fetchPost(new URL(`${server.origin}/@impostor/${status.id}`)));
      expect(error.code).toBe(ErrorCode.SourceNotFound);
    });

    it('captures through capture() as one post', async () => {
      await setUp();
      const status = kulebaStatement(server);
      const { posts } = await connector().capture(new URL(status.url as string));
      expect(posts.map((p) => p.content.postId)).toEqual([status.id]);
    });

    it("reads the status through the connector's parsing: its refusal fails the capture, our own load is thrown", async () => {
      await setUp();
      server.addAccount({ username: 'mfa' });
      const status = server.publish('mfa', { content: 'Read on a thread' });
      const url = new URL(`${server.origin}/@mfa/${status.id}`);
      const real = inThreadMastodonParsing();
      const read: string[] = [];
      const marking: MastodonParsing = {
        ...real,
        readStatus: (bytes, what) => (read.push(what), real.readStatus(bytes, what)),
      };
      expect((await connector({ parsing: marking }).fetchPost(url)).post.content.text).toBe(
        'Read on a thread',
      );
      expect(read).toEqual([`Mastodon ${new URL(server.origin).host} status ${status.id}`]);

      const refusal = new SourceError(
        ErrorCode.SourceInvalidResponse,
        'status: parsing took longer than 5 ms; refused',
      );
      const refusing: MastodonParsing = { ...real, readStatus: () => Promise.reject(refusal) };
      await expect(connector({ parsing: refusing }).fetchPost(url)).rejects.toBe(refusal);
      const overload = new SourceError(ErrorCode.LocalOverload, 'a parse thread kept off the cores');
      const starved: MastodonParsing = { ...real, readStatus: () => Promise.reject(overload) };
      await expect(connector({ parsing: starved }).capture(url)).rejects.toBe(overload);
    });
  });
});
