import { ErrorCode, SourceError } from '@app/core';
import { testHttpClient } from '@app/testing/test-http-client';
import { type FakeMastodon, type FakeMastodonOptions, startFakeMastodon } from '@app/testing/fake-mastodon';
import { type PostAnswer, type PostRef, type ResolvedAccount } from '../connector';
import { type GuardedHttpClient, type HttpClientOptions, type HttpResponse } from '../http';
import { MastodonConnector, type MastodonConnectorOptions } from './mastodon-connector';
import { type MastodonParsing, inThreadMastodonParsing } from './mastodon-parsing';
import { MASTODON_BATCH_LIMIT } from './mastodon-recheck';

let server: FakeMastodon;
let http: GuardedHttpClient;
let account: ResolvedAccount;

/** A fake instance with the account @mfa resolved and the request log emptied. */
async function setUp(options: FakeMastodonOptions = {}, client: Partial<HttpClientOptions> = {}) {
  server = await startFakeMastodon(options);
  http = testHttpClient(client);
  server.addAccount({ username: 'mfa' });
  account = await new MastodonConnector(http).resolve(new URL(`${server.origin}/@mfa`));
  server.requestLog.length = 0;
}

afterEach(async () => {
  await http?.close();
  await server?.close();
});

const connector = (options: MastodonConnectorOptions = {}) => new MastodonConnector(http, options);

function publish(count: number, username = 'mfa'): string[] {
  return Array.from({ length: count }, (_, i) => server.publish(username, { content: `Post ${i + 1}` }).id);
}

const refOf = (postId: string): PostRef => ({ postId, url: `${server.origin}/@mfa/${postId}` });

function fetchMany(ids: string[], options: MastodonConnectorOptions = {}): Promise<PostAnswer[]> {
  return connector(options).fetchMany(account, ids.map(refOf));
}

const kinds = (answers: PostAnswer[]) => answers.map((a) => a.kind);
const requestedPaths = () => server.requestLog.map((r) => decodeURIComponent(r.path));
const batchRequests = () => server.requestLog.filter((r) => r.path.startsWith('/api/v1/statuses?'));
const singleLookup = (id: string) => `/api/v1/statuses/${id}`;

function detailOf(answer: PostAnswer): string {
  if (answer.kind !== 'unknown') throw new Error(`expected unknown, got ${answer.kind}`);
  return answer.detail;
}

describe('MastodonConnector.fetchMany', () => {
  it('answers found from one batch request, one answer per ref in the order given', async () => {
    await setUp();
    const [a, b, c] = publish(3);
    const answers = await fetchMany([c, a, b]);

    expect(answers.map((x) => [x.kind, x.ref.postId])).toEqual([
      ['found', c],
      ['found', a],
      ['found', b],
    ]);
    expect(requestedPaths()).toEqual([`/api/v1/statuses?id[]=${c}&id[]=${a}&id[]=${b}`]);
    const [sent] = server.requestLog;
    for (const answer of answers) {
      if (answer.kind !== 'found') throw new Error('expected found');
      expect(answer.post.evidenceLevel).toBe('captured');
      expect(answer.post.content).toMatchObject({
        platform: 'mastodon',
        account: account.handle,
        postId: answer.ref.postId,
      });
      expect(answer.post.artifacts.map((x) => [x.role, x.mediaType])).toEqual([
        ['response', 'application/json'],
        ['response-head', 'message/http'],
      ]);
      expect(answer.post.artifacts[0].bytes.equals(sent.response!.body)).toBe(true);
      expect(answer.post.artifacts[1].bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    }
  });

  it('confirms a post the batch left out with a single lookup: a 404 is not-found, with the 404 as evidence', async () => {
    await setUp();
    const [kept, deleted] = publish(2);
    const hidden = server.publish('mfa', { content: 'followers only', visibility: 'private' }).id;
    server.remove(deleted);

    const answers = await fetchMany([kept, deleted, hidden]);

    expect(kinds(answers)).toEqual(['found', 'not-found', 'not-found']);
    expect(requestedPaths().slice(1)).toEqual([singleLookup(deleted), singleLookup(hidden)]);
    const notFound = answers[1];
    if (notFound.kind !== 'not-found') throw new Error('expected not-found');
    expect(notFound.httpStatus).toBe(404);
    expect(notFound.evidence[0]).toMatchObject({ role: 'response', mediaType: 'application/json' });
    expect(notFound.evidence[0].bytes.toString()).toBe('{"error":"Record not found"}');
    expect(notFound.evidence[1].role).toBe('response-head');
    expect(notFound.evidence[1].bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
  });

  it('answers gone for a 410 and unavailable (private) for a 401 or 403', async () => {
    await setUp();
    const [gone, unauthorized, forbidden] = publish(3);
    for (const id of [gone, unauthorized, forbidden]) server.remove(id);
    server.fail({ mode: 'gone', exactPath: singleLookup(gone) });
    server.fail({ mode: 'unauthorized', exactPath: singleLookup(unauthorized) });
    server.fail({ mode: 'forbidden', exactPath: singleLookup(forbidden) });

    const answers = await fetchMany([gone, unauthorized, forbidden]);

    expect(answers.map((a) => [a.kind, 'httpStatus' in a ? a.httpStatus : null])).toEqual([
      ['gone', 410],
      ['unavailable', 401],
      ['unavailable', 403],
    ]);
    for (const answer of answers.slice(1)) {
      if (answer.kind !== 'unavailable') throw new Error('expected unavailable');
      expect(answer.reason).toBe('private');
      expect(answer.evidence.map((x) => x.role)).toEqual(['response', 'response-head']);
    }
  });

  it.each(['server-error', 'garbage', 'wrong-shape'] as const)(
    'answers unknown for a single lookup that gets %s, and goes on with the next',
    async (mode) => {
      await setUp();
      const [failing, deleted] = publish(2);
      server.remove(failing);
      server.remove(deleted);
      server.fail({ mode, exactPath: singleLookup(failing) });

      const answers = await fetchMany([failing, deleted]);

      expect(kinds(answers)).toEqual(['unknown', 'not-found']);
      expect(detailOf(answers[0])).toContain(`status ${failing}`);
    },
  );

  it('answers unknown for a 429 on a single lookup and asks the host nothing more', async () => {
    await setUp();
    const [limited, deleted] = publish(2);
    server.remove(limited);
    server.remove(deleted);
    server.fail({ mode: 'rate-limited', exactPath: singleLookup(limited) });

    const answers = await fetchMany([limited, deleted]);

    expect(kinds(answers)).toEqual(['unknown', 'unknown']);
    expect(detailOf(answers[0])).toContain('HTTP 429');
    expect(detailOf(answers[1])).toContain('not asked after an earlier failure');
    expect(requestedPaths()).toHaveLength(2);
  });

  it('answers unknown for a single lookup that times out, and asks the host nothing more', async () => {
    await setUp({}, { totalTimeoutMs: 300 });
    const [hanging, deleted] = publish(2);
    server.remove(hanging);
    server.remove(deleted);
    server.fail({ mode: 'hang', exactPath: singleLookup(hanging) });

    const answers = await fetchMany([hanging, deleted]);

    expect(kinds(answers)).toEqual(['unknown', 'unknown']);
    expect(detailOf(answers[0])).toContain('timed out after 300 ms');
    expect(requestedPaths()).toHaveLength(2);
  });

  it.each([
    ['a 500', 'server-error', 'HTTP 500'],
    ['a 429', 'rate-limited', 'HTTP 429'],
    ['an answer that is not JSON', 'garbage', 'not JSON'],
    ['statuses of the wrong shape', 'wrong-shape', 'is not a string'],
  ] as const)(
    'answers unknown for the whole chunk when the batch gets %s, without single lookups',
    async (_what, mode, detail) => {
      await setUp();
      const ids = publish(3);
      server.remove(ids[2]);
      server.fail({ mode, exactPath: '/api/v1/statuses' });

      const answers = await fetchMany(ids);

      expect(kinds(answers)).toEqual(['unknown', 'unknown', 'unknown']);
      expect(detailOf(answers[0])).toContain(detail);
      expect(batchRequests()).toHaveLength(1);
      expect(server.requestLog).toHaveLength(1);
    },
  );

  it('answers unknown for a batch that times out', async () => {
    await setUp({}, { totalTimeoutMs: 300 });
    const ids = publish(2);
    server.fail({ mode: 'hang', exactPath: '/api/v1/statuses' });

    const answers = await fetchMany(ids);

    expect(kinds(answers)).toEqual(['unknown', 'unknown']);
    expect(detailOf(answers[1])).toContain('timed out after 300 ms');
    expect(server.requestLog).toHaveLength(1);
  });

  it('answers unavailable (login wall) when the instance wants a login for the batch', async () => {
    await setUp();
    const ids = publish(25);
    server.fail({ mode: 'unauthorized', exactPath: '/api/v1/statuses' });

    const answers = await fetchMany(ids);

    expect(answers.map((a) => (a.kind === 'unavailable' ? [a.reason, a.httpStatus] : a.kind))).toEqual(
      ids.map(() => ['login-wall', 401]),
    );
    // the second chunk would meet the same wall: it is not asked
    expect(server.requestLog).toHaveLength(1);
  });

  it('reads in chunks of at most 20 ids: 45 refs are 3 batch requests, answered in order', async () => {
    await setUp();
    const ids = publish(45);
    const refs = [...ids].reverse();

    const answers = await fetchMany(refs);

    expect(MASTODON_BATCH_LIMIT).toBe(20);
    expect(answers.map((a) => [a.kind, a.ref.postId])).toEqual(refs.map((id) => ['found', id]));
    expect(batchRequests().map((r) => r.query.getAll('id[]'))).toEqual([
      refs.slice(0, 20),
      refs.slice(20, 40),
      refs.slice(40),
    ]);
    expect(server.requestLog).toHaveLength(3);
  });

  it('falls back to single lookups on a server without the batch route (before 4.3), asking it once', async () => {
    await setUp({ batchStatuses: false });
    const ids = publish(25);
    server.remove(ids[3]);

    const answers = await fetchMany(ids);

    expect(answers.map((a) => [a.kind, a.ref.postId])).toEqual(
      ids.map((id, i) => [i === 3 ? 'not-found' : 'found', id]),
    );
    expect(batchRequests()).toHaveLength(1);
    expect(batchRequests()[0].response?.status).toBe(404);
    expect(requestedPaths().slice(1)).toEqual(ids.map(singleLookup));
    const found = answers[0];
    if (found.kind !== 'found') throw new Error('expected found');
    expect(found.post.evidenceLevel).toBe('captured');
    expect(found.post.artifacts[0].bytes.equals(server.requestLog[1].response!.body)).toBe(true);
  });

  it('falls back to single lookups when the server refuses the batch size (422)', async () => {
    await setUp({ batchLimit: 5 });
    const ids = publish(6);

    const answers = await fetchMany(ids);

    expect(kinds(answers)).toEqual(ids.map(() => 'found'));
    expect(batchRequests().map((r) => r.response?.status)).toEqual([422]);
    expect(server.requestLog).toHaveLength(7);
  });

  it('falls back to single lookups when the batch route answers something that is not a list', async () => {
    await setUp();
    const [id] = publish(1);
    const requested: string[] = [];
    const viaStub = new MastodonConnector({
      request: async (url, req) => {
        requested.push(new URL(url).pathname);
        if (new URL(url).pathname === '/api/v1/statuses') return stub(url, '{"id":"1"}');
        return http.request(url, req);
      },
    });

    const answers = await viaStub.fetchMany(account, [refOf(id)]);

    expect(kinds(answers)).toEqual(['found']);
    expect(requested).toEqual(['/api/v1/statuses', singleLookup(id)]);
  });

  it('answers unknown, not found, for a status of another account (batch or single lookup)', async () => {
    await setUp();
    server.addAccount({ username: 'other' });
    const [foreign] = publish(1, 'other');

    const [fromBatch] = await fetchMany([foreign]);
    expect(detailOf(fromBatch)).toContain(`answered status ${foreign} as a post of account`);

    await http.close();
    await server.close();
    await setUp({ batchStatuses: false });
    server.addAccount({ username: 'other' });
    const [alsoForeign] = publish(1, 'other');
    const [fromLookup] = await fetchMany([alsoForeign]);
    expect(detailOf(fromLookup)).toContain(`answered status ${alsoForeign} as a post of account`);
  });

  it('makes at most maxSingleLookups single lookups per call; the rest are unknown', async () => {
    await setUp({ batchStatuses: false });
    const ids = publish(4);

    const answers = await fetchMany(ids, { maxSingleLookups: 2 });

    expect(kinds(answers)).toEqual(['found', 'found', 'unknown', 'unknown']);
    expect(detailOf(answers[3])).toContain('at most 2 single lookups');
    expect(server.requestLog).toHaveLength(3);
  });

  it('answers unknown for a ref that is not a Mastodon id, without asking for it', async () => {
    await setUp();
    const [id] = publish(1);

    const answers = await fetchMany(['../accounts/1', id]);

    expect(kinds(answers)).toEqual(['unknown', 'found']);
    expect(requestedPaths()).toEqual([`/api/v1/statuses?id[]=${id}`]);
  });

  it("reads answers and turns statuses into statements through the connector's parsing, which may refuse them", async () => {
    await setUp();
    const ids = publish(3);
    const real = inThreadMastodonParsing();
    const read: string[] = [];
    const marking: MastodonParsing = {
      ...real,
      readBatch: (bytes, what) => (read.push(what), real.readBatch(bytes, what)),
      convert: (statuses, host) => (read.push(`convert ${statuses.length}`), real.convert(statuses, host)),
    };
    expect(kinds(await fetchMany(ids, { parsing: marking }))).toEqual(['found', 'found', 'found']);
    const host = new URL(server.origin).host;
    // a batch's statuses in one go: the parse thread's threshold weighs their HTML together
    expect(read).toEqual([`Mastodon ${host} batch lookup of 3 statuses`, 'convert 3']);

    // a batch answer a parse thread refused (past VERBATIM_PARSE_TIMEOUT_MS): its posts are unknown, saying why
    const refusal = new SourceError(
      ErrorCode.SourceInvalidResponse,
      'batch: parsing took longer than 5 ms; refused',
    );
    const refusingBatch: MastodonParsing = { ...real, readBatch: () => Promise.reject(refusal) };
    const unread = await fetchMany(ids, { parsing: refusingBatch });
    expect(unread.map(detailOf)).toEqual(ids.map(() => refusal.message));
    const refusingText: MastodonParsing = { ...real, convert: () => Promise.reject(refusal) };
    const untexted = await fetchMany(ids, { parsing: refusingText });
    expect(untexted.map(detailOf)).toEqual(ids.map(() => refusal.message));
    // as is a post whose single lookup, or whose text, was refused; the others are found
    server.requestLog.length = 0;
    const refusingOne: MastodonParsing = {
      ...real,
      readBatch: async () => null,
      readStatus: (bytes, what) =>
        what.endsWith(ids[1]) ? Promise.reject(refusal) : real.readStatus(bytes, what),
      convert: (statuses, host) =>
        statuses[0].id === ids[2] ? Promise.reject(refusal) : real.convert(statuses, host),
    };
    const some = await fetchMany(ids, { parsing: refusingOne });
    expect(kinds(some)).toEqual(['found', 'unknown', 'unknown']);
    expect(requestedPaths().slice(1)).toEqual(ids.map(singleLookup));

    // our own load refusing the parse puts the whole re-check off
    const overload = new SourceError(ErrorCode.LocalOverload, 'a parse thread kept off the cores');
    const starved: MastodonParsing = { ...real, readBatch: () => Promise.reject(overload) };
    await expect(fetchMany(ids, { parsing: starved })).rejects.toBe(overload);
    const starvedText: MastodonParsing = { ...real, convert: () => Promise.reject(overload) };
    await expect(fetchMany(ids, { parsing: starvedText })).rejects.toBe(overload);
  });

  it('asks nothing for no refs', async () => {
    await setUp();
    expect(await fetchMany([])).toEqual([]);
    expect(server.requestLog).toHaveLength(0);
  });
});

function stub(url: string | URL, body: string): HttpResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    head: Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n', 'latin1'),
    body: Buffer.from(body),
    url: String(url),
    redirects: [],
  };
}
