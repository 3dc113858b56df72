import { startFakeTelegram, type FakeTelegram } from '@app/testing/fake-telegram';
import { testHttpClient } from '@app/testing/test-http-client';
import { ErrorCode, SourceError, localOverload } from '@app/core';
import { type PostAnswer, type ResolvedAccount } from '../connector';
import { type GuardedHttpClient } from '../http';
import { TelegramConnector, type TelegramCursor } from './telegram-connector';
import { type TelegramParsing, inThreadTelegramParsing } from './telegram-parsing';

let telegram: FakeTelegram;
let http: GuardedHttpClient;
let connector: TelegramConnector;

beforeEach(async () => {
  telegram = await startFakeTelegram();
  telegram.addChannel({ username: 'MFA_Testland', title: 'МЗС Тестландії', description: 'Official channel' });
  telegram.publish('MFA_Testland', { service: true, text: 'Channel created' });
  http = testHttpClient({ totalTimeoutMs: 1500 });
  connector = new TelegramConnector(http, { baseUrl: telegram.origin, backfillLimit: 30 });
});

afterEach(async () => {
  await http.close();
  await telegram.close();
});

async function sourceError(promise: Promise<unknown>): Promise<SourceError> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  if (!(error instanceof SourceError)) throw error;
  return error;
}

function publishMany(count: number, from = 1): number[] {
  return Array.from({ length: count }, (_, i) =>
    telegram.publish('MFA_Testland', { html: `Statement <b>${from + i}</b>` }),
  );
}

const account = () => connector.resolve(new URL('https://t.me/mfa_testland'));
const requested = () => telegram.requestLog.map((r) => r.path);

describe('TelegramConnector: URLs and resolving', () => {
  it('claims t.me channel and post URLs whatever the base URL, and the base URL host itself', () => {
    expect(connector.canTrack(new URL('https://t.me/mfa_ukraine'))).toBe(true);
    expect(connector.canTrack(new URL('https://telegram.me/s/mfa_ukraine'))).toBe(true);
    expect(connector.canTrack(new URL(`${telegram.origin}/mfa_ukraine`))).toBe(true);
    expect(connector.canTrack(new URL('https://t.me/mfa_ukraine/5'))).toBe(false);
    expect(connector.canCapture(new URL('https://t.me/mfa_ukraine/5'))).toBe(true);
    expect(new TelegramConnector(http).canTrack(new URL(`${telegram.origin}/mfa_ukraine`))).toBe(false);
  });

  it("resolves a channel through its web preview, with Telegram's spelling of the name", async () => {
    expect(await account()).toEqual({
      platform: 'telegram',
      handle: 'MFA_Testland',
      externalId: 'mfa_testland',
      displayName: 'МЗС Тестландії',
      profileUrl: 'https://t.me/MFA_Testland',
      sourceUrl: 'https://t.me/s/mfa_testland',
    });
    expect(requested()).toEqual(['/s/mfa_testland']);
  });

  it('refuses a channel without a public preview, and a name nobody has, as a bad URL', async () => {
    telegram.addChannel({ username: 'closed_channel', title: 'Closed', hasPreview: false });
    for (const name of ['closed_channel', 'nobody_here']) {
      const error = await sourceError(connector.resolve(new URL(`https://t.me/${name}`)));
      expect(error.code).toBe(ErrorCode.UnsupportedUrl);
      expect(error.message).toContain(`t.me/${name}: this channel has no public web preview`);
    }
  });
});

describe('TelegramConnector: polling', () => {
  it('reads back backfillLimit messages on the first poll, paging with ?before=, with the exact bytes read', async () => {
    const ids = publishMany(45);
    const resolved = await account();
    const result = await connector.poll(resolved, {});
    if (result.kind !== 'posts') throw new Error('expected posts');
    expect(result.posts.map((p) => p.content.postId)).toEqual(ids.slice(-30).map(String));
    expect(result.cursor).toEqual({ newestId: ids[ids.length - 1] });
    expect(requested().slice(1)).toEqual(['/s/MFA_Testland', `/s/MFA_Testland?before=${ids[45 - 20]}`]);
    const newest = result.posts[result.posts.length - 1];
    expect(newest.evidenceLevel).toBe('captured');
    expect(newest.content).toMatchObject({
      platform: 'telegram',
      account: 'MFA_Testland',
      url: `https://t.me/MFA_Testland/${ids[44]}`,
      text: 'Statement 45',
      html: 'Statement <b>45</b>',
      editedAt: null,
    });
    const sent = telegram.requestLog[1].response!;
    // both name the URL that answered, the WARC export's target URI
    const url = `${telegram.origin}${telegram.requestLog[1].path}`;
    expect(newest.artifacts).toEqual([
      { role: 'response', mediaType: 'text/html', bytes: sent.body, url },
      { role: 'response-head', mediaType: 'message/http', bytes: sent.head, url },
    ]);
    expect(sent.head.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });

  it('reads forward from the cursor across pages, then answers unchanged with one request', async () => {
    publishMany(5);
    const resolved = await account();
    const first = await connector.poll(resolved, {});
    const cursor = first.cursor;
    const added = publishMany(25, 6);
    const second = await connector.poll(resolved, cursor);
    if (second.kind !== 'posts') throw new Error('expected posts');
    expect(second.posts.map((p) => Number(p.content.postId))).toEqual(added);
    expect(second.suspectedMissing).toEqual([]);
    const before = telegram.requestLog.length;
    const third = await connector.poll(resolved, second.cursor);
    expect(third).toMatchObject({ kind: 'unchanged', cursor: second.cursor });
    expect(telegram.requestLog.length - before).toBe(1);
  });

  it('skips service messages and reads an album as one post whose members do not look like gaps', async () => {
    const album = telegram.publish('MFA_Testland', {
      text: 'Фото з місця події',
      photos: ['https://cdn.example/p1.jpg', 'https://cdn.example/p2.jpg', 'https://cdn.example/p3.jpg'],
    });
    const after = telegram.publish('MFA_Testland', { text: 'Next' });
    expect(after).toBe(album + 3);
    const resolved = await account();
    const result = await connector.poll(resolved, {});
    if (result.kind !== 'posts') throw new Error('expected posts');
    expect(result.posts.map((p) => p.content.postId)).toEqual([String(album), String(after)]);
    expect(result.posts[0].content.media.map((m) => m.url)).toEqual([
      'https://cdn.example/p1.jpg',
      'https://cdn.example/p2.jpg',
      'https://cdn.example/p3.jpg',
    ]);
    const again = await connector.poll(resolved, result.cursor);
    expect(again).toMatchObject({ kind: 'unchanged', suspectedMissing: [] });
  });

  it('names the known messages that vanished from the listing (a gap in the ids)', async () => {
    const ids = publishMany(6);
    const resolved = await account();
    const { cursor } = await connector.poll(resolved, {});
    telegram.remove('MFA_Testland', ids[2]);
    telegram.remove('MFA_Testland', ids[3]);
    const result = await connector.poll(resolved, cursor);
    expect(result).toMatchObject({ kind: 'unchanged', suspectedMissing: [String(ids[2]), String(ids[3])] });
  });

  it('fails a poll with a clear error when the channel loses its preview', async () => {
    publishMany(2);
    const resolved = await account();
    telegram.setPreview('MFA_Testland', false);
    const error = await sourceError(connector.poll(resolved, {}));
    expect(error.code).toBe(ErrorCode.SourceAuthRequired);
    expect(error.message).toContain('no longer has a public web preview');
  });

  it('refuses a 20 MB page through the guarded client size limit, without parsing it', async () => {
    const resolved = await account();
    telegram.servePreviewBody('MFA_Testland', Buffer.alloc(20 * 1024 * 1024, '<div>'));
    const error = await sourceError(connector.poll(resolved, {}));
    expect(error.code).toBe(ErrorCode.SourceRefused);
    expect(error.message).toContain('response body exceeds');
  });

  it('reports 429 and 500 as the typed errors the worker backs off on', async () => {
    const resolved = await account();
    telegram.fail({ mode: 'server-error', times: 1 });
    expect((await sourceError(connector.poll(resolved, {}))).code).toBe(ErrorCode.SourceUnavailable);
    telegram.fail({ mode: 'rate-limited', times: 1 });
    const limited = await sourceError(connector.poll(resolved, {}));
    expect(limited.code).toBe(ErrorCode.SourceRateLimited);
    expect(limited.retryAt).not.toBeNull();
  });

  it('validates its cursor', () => {
    expect(connector.readCursor({})).toEqual({});
    expect(connector.readCursor({ newestId: 5 })).toEqual({ newestId: 5 });
    expect(() => connector.readCursor({ newestId: '5' })).toThrow(/Telegram poll cursor is not valid/);
    expect(() => connector.readCursor({ sinceId: '5' })).toThrow(SourceError);
  });
});

describe('TelegramConnector: re-reading posts', () => {
  let resolved: ResolvedAccount;
  let ids: number[];
  let cursor: TelegramCursor;

  beforeEach(async () => {
    ids = publishMany(4);
    resolved = await account();
    ({ cursor } = await connector.poll(resolved, {}));
  });

  const refs = (...which: number[]) =>
    which.map((id) => ({ postId: String(id), url: `https://t.me/MFA_Testland/${id}` }));
  const kinds = (answers: PostAnswer[]) => answers.map((a) => a.kind);

  it('finds unchanged posts with the content the poll had, and edits with the new text', async () => {
    const polled = await connector.poll(resolved, {});
    if (polled.kind !== 'posts') throw new Error('expected posts');
    telegram.edit('MFA_Testland', ids[1], 'Statement <i>two</i>, corrected');
    const answers = await connector.fetchMany(resolved, refs(ids[0], ids[1]));
    expect(kinds(answers)).toEqual(['found', 'found']);
    const [same, edited] = answers;
    if (same.kind !== 'found' || edited.kind !== 'found') throw new Error('expected found');
    expect(same.post.content).toEqual(polled.posts[0].content);
    expect(edited.post.content.text).toBe('Statement two, corrected');
    expect(telegram.requestLog.at(-1)?.path).toBe(`/MFA_Testland/${ids[1]}?embed=1`);
    expect(cursor.newestId).toBe(ids[3]);
  });

  it('calls a deleted post not found, with the 200 "Post not found" page as evidence', async () => {
    telegram.remove('MFA_Testland', ids[2]);
    const [answer] = await connector.fetchMany(resolved, refs(ids[2]));
    if (answer.kind !== 'not-found') throw new Error(`expected not-found, got ${answer.kind}`);
    expect(answer.httpStatus).toBe(200);
    expect(answer.evidence.map((a) => a.role)).toEqual(['response', 'response-head']);
    expect(answer.evidence[0].bytes.toString()).toContain('tgme_widget_message_error');
  });

  it('answers unavailable, not not-found, when the whole channel lost its preview', async () => {
    telegram.setPreview('MFA_Testland', false);
    const answers = await connector.fetchMany(resolved, refs(ids[0], ids[1]));
    expect(answers.map((a) => a.kind === 'unavailable' && a.reason)).toEqual(['private', 'private']);
    // the channel's preview is asked once per call
    expect(requested().filter((p) => p.startsWith('/s/'))).toHaveLength(3);
  });

  it.each(['rate-limited', 'server-error', 'hang'] as const)(
    'answers unknown on %s, and leaves the host alone for the rest of the call',
    async (mode) => {
      telegram.fail({ mode, path: '/MFA_Testland/' });
      const before = telegram.requestLog.length;
      const answers = await connector.fetchMany(resolved, refs(...ids));
      expect(kinds(answers)).toEqual(['unknown', 'unknown', 'unknown', 'unknown']);
      expect(telegram.requestLog.length - before).toBe(1);
    },
  );

  it('is put off whole, not answered unknown, when our own load refuses a request: the source said nothing', async () => {
    const overload = localOverload('not asked: this process is receiving too much');
    let refused = 0;
    // the real client, but every embed read refused as a busy process refuses it
    const busy: Pick<GuardedHttpClient, 'request'> = {
      request: (url, req) => {
        if (!String(url).includes('embed=1')) return http.request(url, req);
        refused += 1;
        return Promise.reject(overload);
      },
    };
    const loaded = new TelegramConnector(busy as GuardedHttpClient, { baseUrl: telegram.origin });
    await expect(loaded.fetchMany(resolved, refs(...ids))).rejects.toBe(overload);
    expect(refused).toBe(1);
  });

  it('answers unknown for a post whose page a parse thread refused, the others keeping their answers', async () => {
    const refusal = new SourceError(
      ErrorCode.SourceInvalidResponse,
      'embed: parsing took longer than 5 ms; refused',
    );
    const real = inThreadTelegramParsing();
    // the widget of one post is refused as a parse past its deadline is; our own load refusing a parse is not an
    // answer about the post: the re-check is put off whole
    const refusing = (error: Error): TelegramParsing => ({
      ...real,
      embedPage: (bytes, handle, what) =>
        what.includes(`/${ids[1]}?`) ? Promise.reject(error) : real.embedPage(bytes, handle, what),
    });
    const parsed = new TelegramConnector(http, { baseUrl: telegram.origin, parsing: refusing(refusal) });
    const answers = await parsed.fetchMany(resolved, refs(ids[0], ids[1], ids[2]));
    expect(kinds(answers)).toEqual(['found', 'unknown', 'found']);
    expect(answers[1]).toMatchObject({ kind: 'unknown', detail: refusal.message });
    const overload = localOverload('a parse thread kept off the cores; tried again later');
    const starved = new TelegramConnector(http, { baseUrl: telegram.origin, parsing: refusing(overload) });
    await expect(starved.fetchMany(resolved, refs(ids[0], ids[1]))).rejects.toBe(overload);
  });

  it('answers unknown for what is not a message id, and beyond the lookup budget', async () => {
    const small = new TelegramConnector(http, { baseUrl: telegram.origin, maxLookups: 1 });
    const answers = await small.fetchMany(resolved, [{ postId: 'abc', url: '' }, ...refs(ids[0], ids[1])]);
    expect(kinds(answers)).toEqual(['unknown', 'found', 'unknown']);
  });
});

describe('TelegramConnector: capture now', () => {
  it('captures one post through its embed, with the channel as the account', async () => {
    const id = telegram.publish('MFA_Testland', { text: 'Один пост', signature: 'Press Office' });
    const { account: owner, posts } = await connector.capture(new URL(`https://t.me/mfa_testland/${id}`));
    expect(owner).toMatchObject({
      handle: 'MFA_Testland',
      externalId: 'mfa_testland',
      displayName: 'МЗС Тестландії',
    });
    expect(posts).toHaveLength(1);
    expect(posts[0].content).toMatchObject({ postId: String(id), text: 'Один пост' });
    expect(requested()).toEqual([`/mfa_testland/${id}?embed=1`]);
  });

  it('says not found for a deleted post', async () => {
    const id = telegram.publish('MFA_Testland', { text: 'Soon gone' });
    telegram.remove('MFA_Testland', id);
    const error = await sourceError(connector.capture(new URL(`https://t.me/MFA_Testland/${id}`)));
    expect(error.code).toBe(ErrorCode.SourceNotFound);
    expect(error.message).toContain('Post not found');
  });
});
