import { testHttpClient } from '@app/testing/test-http-client';
import { type FakeX, startFakeX } from '@app/testing/fake-x';
import { type PostAnswer, type PostRef, type ResolvedAccount } from '../connector';
import { type GuardedHttpClient } from '../http';
import { XConnector } from './x-connector';

let server: FakeX;
let http: GuardedHttpClient;
let account: ResolvedAccount;

function connector(bearerToken: string | null = null): XConnector {
  return new XConnector(http, {
    apiBaseUrl: server.origin,
    bearerToken,
    syndicationBaseUrl: server.origin,
    oembedBaseUrl: server.origin,
    monthlyReadBudget: 10_000,
  });
}

async function setUp(options: { singleLookupMissing?: '404' | '200-errors' } = {}) {
  server = await startFakeX(options);
  http = testHttpClient();
  server.addUser({ username: 'mfa' });
  account = await connector(server.token).resolve(new URL('https://x.com/mfa'));
  server.requestLog.length = 0;
}

afterEach(async () => {
  await http?.close();
  await server?.close();
});

const ref = (postId: string): PostRef => ({ postId, url: `https://x.com/mfa/status/${postId}` });
const kinds = (answers: PostAnswer[]) => answers.map((a) => a.kind);

describe('X fetchMany with a token', () => {
  it('reads many posts in one /2/tweets?ids= request; errors[] not-found is definitive', async () => {
    await setUp();
    const kept = server.publish('mfa', { text: 'kept' });
    const gone = server.publish('mfa', { text: 'gone' });
    server.remove(gone.id);
    const reads = { used: 0, remaining: Infinity, add: (n: number) => (reads.used += n) };
    const answers = await connector(server.token).fetchMany(
      account,
      [ref(kept.id), ref(gone.id), ref('abc')],
      reads,
    );
    expect(kinds(answers)).toEqual(['found', 'not-found', 'unknown']);
    expect(server.requestLog.map((r) => r.path.split('?')[0])).toEqual(['/2/tweets']);
    expect(server.requestLog[0].query.get('ids')).toBe(`${kept.id},${gone.id}`);
    const notFound = answers[1] as Extract<PostAnswer, { kind: 'not-found' }>;
    expect(notFound.httpStatus).toBe(200);
    expect(notFound.evidence[0].bytes.toString()).toContain(`Could not find tweet with ids: [${gone.id}].`);
    expect(reads.used).toBe(1);
  });

  it('follows an edit: the first id answers, the newest version is read and returned under the first id', async () => {
    await setUp();
    const original = server.publish('mfa', { text: 'First wording' });
    server.edit(original.id, 'Corrected wording');
    const [answer] = await connector(server.token).fetchMany(account, [ref(original.id)]);
    expect(answer.kind).toBe('found');
    if (answer.kind !== 'found') return;
    expect(answer.post.content).toMatchObject({ postId: original.id, text: 'Corrected wording' });
    expect(server.requestLog).toHaveLength(2);
  });

  it('treats an errors[] answer injected for every id as not-found', async () => {
    await setUp();
    const post = server.publish('mfa', { text: 'x' });
    server.fail({ mode: 'errors-not-found', exactPath: '/2/tweets' });
    expect(kinds(await connector(server.token).fetchMany(account, [ref(post.id)]))).toEqual(['not-found']);
  });

  it.each(['404', '200-errors'] as const)(
    'asks one by one when the batch answers 404; a single lookup that misses (%s) is not-found',
    async (style) => {
      await setUp({ singleLookupMissing: style });
      const kept = server.publish('mfa', { text: 'kept' });
      const gone = server.publish('mfa', { text: 'gone' });
      server.remove(gone.id);
      server.fail({ mode: 'not-found', exactPath: '/2/tweets', times: 1 });
      const answers = await connector(server.token).fetchMany(account, [ref(kept.id), ref(gone.id)]);
      expect(kinds(answers)).toEqual(['found', 'not-found']);
      expect((answers[1] as Extract<PostAnswer, { kind: 'not-found' }>).httpStatus).toBe(
        style === '404' ? 404 : 200,
      );
      expect(server.requestLog.map((r) => r.path.split('?')[0])).toEqual([
        '/2/tweets',
        `/2/tweets/${kept.id}`,
        `/2/tweets/${gone.id}`,
      ]);
    },
  );

  it('answers a suspended author as unavailable and a protected one as private', async () => {
    await setUp();
    const post = server.publish('mfa', { text: 'x' });
    server.suspend('mfa');
    const [suspended] = await connector(server.token).fetchMany(account, [ref(post.id)]);
    expect(suspended).toMatchObject({ kind: 'unavailable', reason: 'account-suspended' });
    server.store.userByUsername('mfa')!.suspended = false;
    server.protect('mfa');
    const [protectedPost] = await connector(server.token).fetchMany(account, [ref(post.id)]);
    expect(protectedPost).toMatchObject({ kind: 'unavailable', reason: 'private' });
  });

  it('answers 429, 500 and garbage as unknown: evidence of nothing', async () => {
    await setUp();
    const post = server.publish('mfa', { text: 'x' });
    for (const mode of ['rate-limited', 'server-error', 'garbage'] as const) {
      server.fail({ mode, times: 1 });
      expect(kinds(await connector(server.token).fetchMany(account, [ref(post.id)]))).toEqual(['unknown']);
    }
  });
});

describe('X fetchMany without a token (syndication)', () => {
  it('found, not found (404) and withheld (TweetTombstone)', async () => {
    await setUp();
    const kept = server.publish('mfa', { text: 'kept' });
    const gone = server.publish('mfa', { text: 'gone' });
    const hidden = server.publish('mfa', { text: 'hidden' });
    server.remove(gone.id);
    server.withhold(hidden.id);
    const answers = await connector().fetchMany(account, [ref(kept.id), ref(gone.id), ref(hidden.id)]);
    expect(answers.map((a) => (a.kind === 'unavailable' ? a.reason : a.kind))).toEqual([
      'found',
      'not-found',
      'withheld',
    ]);
    expect(answers[0].kind === 'found' && answers[0].post.content.via).toBe('x-syndication');
    expect(server.requestLog.every((r) => r.headers.authorization === undefined)).toBe(true);
  });
});
