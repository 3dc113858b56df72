import { contentSha256, ErrorCode, SourceError } from '@app/core';
import { testHttpClient } from '@app/testing/test-http-client';
import { type FakeMastodon, startFakeMastodon } from '@app/testing/fake-mastodon';
import { type FetchedPost, type HeldPost, type PostAnswer, type ResolvedAccount } from '../connector';
import { type GuardedHttpClient } from '../http';
import { MastodonConnector } from './mastodon-connector';
import { type MastodonParsing, inThreadMastodonParsing } from './mastodon-parsing';
import { keptEdits, missedEdits } from './mastodon-edit-history';
import { type MastodonStatus, parseStatus, parseStatusEditList } from './mastodon-entities';

const ACCOUNT = {
  id: '1',
  username: 'mfa',
  acct: 'mfa',
  display_name: 'Ministry',
  url: 'https://x.test/@mfa',
};

function edit(content: string, createdAt: string) {
  return {
    content: `<p>${content}</p>`,
    spoiler_text: '',
    sensitive: false,
    created_at: createdAt,
    account: ACCOUNT,
    media_attachments: [],
    emojis: [],
  };
}

describe('parseStatusEditList', () => {
  it('reads the fields of a StatusEdit, a poll included', () => {
    const [original, withPoll] = parseStatusEditList(
      [
        edit('first', '2026-01-01T10:00:00.000Z'),
        {
          ...edit('second', '2026-01-01T11:00:00.000Z'),
          poll: { options: [{ title: 'yes' }, { title: 'no' }] },
        },
      ],
      'history',
    );
    expect(original).toEqual({
      content: '<p>first</p>',
      spoiler_text: '',
      sensitive: false,
      created_at: '2026-01-01T10:00:00.000Z',
      account: ACCOUNT,
      media_attachments: [],
      poll: null,
    });
    expect(withPoll.poll).toEqual({ options: [{ title: 'yes' }, { title: 'no' }] });
  });

  it.each<[string, unknown]>([
    ['not a list', { content: '<p>x</p>' }],
    ['content missing', [{ ...edit('x', '2026-01-01T10:00:00Z'), content: undefined }]],
    ['created_at not a date', [edit('x', 'yesterday')]],
    ['media not a list', [{ ...edit('x', '2026-01-01T10:00:00Z'), media_attachments: {} }]],
    ['emojis not a list', [{ ...edit('x', '2026-01-01T10:00:00Z'), emojis: 'none' }]],
    ['sensitive not a boolean', [{ ...edit('x', '2026-01-01T10:00:00Z'), sensitive: 'yes' }]],
    [
      'a javascript: media URL',
      [
        {
          ...edit('x', '2026-01-01T10:00:00Z'),
          media_attachments: [{ id: '5', type: 'image', url: 'javascript:alert(1)' }],
        },
      ],
    ],
    ['an account without id', [{ ...edit('x', '2026-01-01T10:00:00Z'), account: { username: 'mfa' } }]],
  ])('refuses a history with %s', (_, value) => {
    expect(() => parseStatusEditList(value, 'history')).toThrow(/^history: /);
  });
});

describe('missedEdits', () => {
  const status = (editedAt: string | null): MastodonStatus =>
    parseStatus(
      {
        id: '100',
        uri: 'https://x.test/users/mfa/statuses/100',
        url: 'https://x.test/@mfa/100',
        created_at: '2026-01-01T10:00:00.000Z',
        edited_at: editedAt,
        content: '<p>now</p>',
        account: ACCOUNT,
      },
      'status',
    );
  const history = parseStatusEditList(
    [
      // out of order on purpose: the list is ordered by created_at
      edit('e2', '2026-01-01T12:00:00.000Z'),
      edit('original', '2026-01-01T10:00:00.000Z'),
      edit('e1', '2026-01-01T11:00:00.000Z'),
      edit('now', '2026-01-01T13:00:00.000Z'),
    ],
    'history',
  );
  const texts = (held?: HeldPost, editedAt = '2026-01-01T13:00:00.000Z') =>
    missedEdits(status(editedAt), history, held).map(({ edit, original }) => [edit.content, original]);

  it('holding the original: the edits after it, oldest first, without the current version', () => {
    expect(texts({ editedAt: null, contentSha256: 'x' })).toEqual([
      ['<p>e1</p>', false],
      ['<p>e2</p>', false],
    ]);
  });

  it('holding an edit: only the edits after it', () => {
    expect(texts({ editedAt: '2026-01-01T11:00:00.000Z', contentSha256: 'x' })).toEqual([
      ['<p>e2</p>', false],
    ]);
  });

  it('holding nothing: the original too, marked as such', () => {
    expect(texts()).toEqual([
      ['<p>original</p>', true],
      ['<p>e1</p>', false],
      ['<p>e2</p>', false],
    ]);
  });

  it('leaves out edits made after the status response (the next check reads them)', () => {
    expect(texts({ editedAt: null, contentSha256: 'x' }, '2026-01-01T11:00:00.000Z')).toEqual([]);
  });
});

describe('keptEdits', () => {
  const edits = Array.from({ length: 10 }, (_, i) => i + 1);

  it('keeps every missed edit up to the limit', () => {
    expect(keptEdits(edits, 10)).toEqual({ kept: edits, leftOut: [] });
    expect(keptEdits([], 3)).toEqual({ kept: [], leftOut: [] });
  });

  it('past it, keeps the first and the newest, in order, and names those between', () => {
    expect(keptEdits(edits, 4)).toEqual({ kept: [1, 8, 9, 10], leftOut: [2, 3, 4, 5, 6, 7] });
    expect(keptEdits(edits, 1)).toEqual({ kept: [1], leftOut: [2, 3, 4, 5, 6, 7, 8, 9, 10] });
    expect(() => keptEdits(edits, 0)).toThrow(RangeError);
  });
});

describe('MastodonConnector and edit histories', () => {
  let server: FakeMastodon;
  let http: GuardedHttpClient;
  let account: ResolvedAccount;

  beforeEach(async () => {
    server = await startFakeMastodon();
    http = testHttpClient();
    server.addAccount({ username: 'mfa' });
    account = await new MastodonConnector(http).resolve(new URL(`${server.origin}/@mfa`));
  });

  afterEach(async () => {
    await http.close();
    await server.close();
  });

  const historyRequests = () => server.requestLog.filter((r) => r.path.endsWith('/history'));
  const foundPost = (answer: PostAnswer): FetchedPost => {
    if (answer.kind !== 'found') throw new Error(`expected found, got ${answer.kind}`);
    return answer.post;
  };

  /** What we would hold after reading the post now. */
  async function holdNow(id: string): Promise<HeldPost> {
    const [answer] = await new MastodonConnector(http).fetchMany(account, [{ postId: id, url: '' }]);
    const post = foundPost(answer);
    return { editedAt: post.content.editedAt, contentSha256: contentSha256(post.content) };
  }

  it('reads the edits missed since the version held, from the history, with its bytes as artifacts', async () => {
    const id = server.publish('mfa', { content: 'Version one.' }).id;
    const held = await holdNow(id);
    server.edit(id, 'Version two.');
    server.edit(id, 'Version three.');
    server.edit(id, 'Version four.');
    server.requestLog.length = 0;

    const [answer] = await new MastodonConnector(http).fetchMany(account, [{ postId: id, url: '', held }]);
    const post = foundPost(answer);
    expect(post.content.text).toBe('Version four.');
    expect(historyRequests().map((r) => r.path)).toEqual([`/api/v1/statuses/${id}/history`]);
    if (post.history?.kind !== 'read') throw new Error('expected a history');
    const edits = JSON.parse(historyRequests()[0].response!.body.toString()) as { created_at: string }[];
    expect(post.history.versions.map((v) => [v.content.text, v.content.editedAt])).toEqual([
      ['Version two.', edits[1].created_at],
      ['Version three.', edits[2].created_at],
    ]);
    for (const version of post.history.versions) {
      expect(version.content).toMatchObject({
        postId: id,
        account: account.handle,
        authoredAt: post.content.authoredAt,
      });
      expect(version.artifacts.map((a) => a.role)).toEqual([
        'edit-history',
        'edit-history-head',
        'response',
        'response-head',
      ]);
      expect(version.artifacts[0].bytes.equals(historyRequests()[0].response!.body)).toBe(true);
      expect(version.artifacts[1].bytes.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    }
  });

  it('asks for no history when the post shows no edit beyond what is held', async () => {
    const id = server.publish('mfa', { content: 'Version one.' }).id;
    const unedited = await new MastodonConnector(http).fetchMany(account, [{ postId: id, url: '' }]);
    expect(foundPost(unedited[0]).history).toBeUndefined();
    server.edit(id, 'Version two.');
    const held = await holdNow(id);
    server.requestLog.length = 0;
    const [answer] = await new MastodonConnector(http).fetchMany(account, [{ postId: id, url: '', held }]);
    expect(foundPost(answer).history).toBeUndefined();
    expect(historyRequests()).toEqual([]);
  });

  it('keeps the post when the history request fails, saying why', async () => {
    const id = server.publish('mfa', { content: 'Version one.' }).id;
    const held = await holdNow(id);
    server.edit(id, 'Version two.');
    server.fail({ mode: 'server-error', path: `/api/v1/statuses/${id}/history` });
    const [answer] = await new MastodonConnector(http).fetchMany(account, [{ postId: id, url: '', held }]);
    const post = foundPost(answer);
    expect(post.content.text).toBe('Version two.');
    expect(post.history).toEqual({ kind: 'failed', detail: expect.stringContaining('HTTP 500') });
  });

  it("turns the edits' HTML into text through the connector's parsing, which may refuse a history as too big", async () => {
    const id = server.publish('mfa', { content: 'Version one.' }).id;
    const held = await holdNow(id);
    server.edit(id, 'Version two.');
    server.edit(id, 'Version three.');
    const asked: string[][] = [];
    const histories: string[] = [];
    const real = inThreadMastodonParsing();
    const marking: MastodonParsing = {
      ...real,
      readHistory: (bytes, what) => {
        histories.push(what);
        return real.readHistory(bytes, what);
      },
      texts: async (htmls) => {
        asked.push(htmls);
        return htmls.map((html) => `text of ${html}`);
      },
    };
    const [answer] = await new MastodonConnector(http, { parsing: marking }).fetchMany(account, [
      { postId: id, url: '', held },
    ]);
    const post = foundPost(answer);
    expect(histories).toEqual([`Mastodon ${new URL(server.origin).host} edit history of status ${id}`]);
    expect(asked).toEqual([['<p>Version two.</p>']]);
    if (post.history?.kind !== 'read') throw new Error('expected a history');
    expect(post.history.versions.map((v) => [v.content.text, v.content.html])).toEqual([
      ['text of <p>Version two.</p>', '<p>Version two.</p>'],
    ]);

    // a history whose text a parse thread refused (past VERBATIM_PARSE_TIMEOUT_MS): the post is kept, saying why
    const refusal = new SourceError(
      ErrorCode.SourceInvalidResponse,
      'history: parsing took longer than 5 ms; refused',
    );
    const refusing: MastodonParsing = { ...inThreadMastodonParsing(), texts: () => Promise.reject(refusal) };
    const [refused] = await new MastodonConnector(http, { parsing: refusing }).fetchMany(account, [
      { postId: id, url: '', held },
    ]);
    expect(foundPost(refused).content.text).toBe('Version three.');
    expect(foundPost(refused).history).toEqual({ kind: 'failed', detail: refusal.message });
    // so is one whose body a parse thread refused; our own load refusing the parse puts the read off whole
    const unread: MastodonParsing = { ...real, readHistory: () => Promise.reject(refusal) };
    const [kept] = await new MastodonConnector(http, { parsing: unread }).fetchMany(account, [
      { postId: id, url: '', held },
    ]);
    expect(foundPost(kept).history).toEqual({ kind: 'failed', detail: refusal.message });
    const overload = new SourceError(ErrorCode.LocalOverload, 'a parse thread kept off the cores');
    const starved: MastodonParsing = { ...real, readHistory: () => Promise.reject(overload) };
    await expect(
      new MastodonConnector(http, { parsing: starved }).fetchMany(account, [{ postId: id, url: '', held }]),
    ).rejects.toBe(overload);
  });

  it('does not keep a post without the edits it missed when our own load refused the history', async () => {
    const edited = server.publish('mfa', { content: 'Version one.' }).id;
    const held = await holdNow(edited);
    server.edit(edited, 'Version two.');
    const plain = server.publish('mfa', { content: 'Unedited.' }).id;
    const overload = new SourceError(
      ErrorCode.LocalOverload,
      'not asked: this process is receiving too much',
    );
    // the real client, but the history request refused as a busy process refuses it
    const busy: Pick<GuardedHttpClient, 'request'> = {
      request: (url, req) =>
        String(url).endsWith('/history') ? Promise.reject(overload) : http.request(url, req),
    };
    // a re-check is put off whole (nothing of it written, so the edit is asked for when it runs again)
    await expect(
      new MastodonConnector(busy).fetchMany(account, [
        { postId: edited, url: '', held },
        { postId: plain, url: '' },
      ]),
    ).rejects.toBe(overload);
    // and so is a poll
    await expect(new MastodonConnector(busy).poll(account, {})).rejects.toBe(overload);
  });

  it('reads garbage as a failed history, not a failed post', async () => {
    const id = server.publish('mfa', { content: 'Version one.' }).id;
    server.edit(id, 'Version two.');
    server.fail({ mode: 'wrong-shape', path: `/api/v1/statuses/${id}/history` });
    const result = await new MastodonConnector(http).poll(account, {});
    if (result.kind !== 'posts') throw new Error('expected posts');
    expect(result.posts[0].history).toEqual({ kind: 'failed', detail: expect.stringMatching(/edit/) });
  });

  it('on a poll, reads the history of a post edited before we first saw it, original included', async () => {
    const id = server.publish('mfa', { content: 'Version one.' }).id;
    server.edit(id, 'Version two.');
    server.edit(id, 'Version three.');
    const result = await new MastodonConnector(http).poll(account, {});
    if (result.kind !== 'posts') throw new Error('expected posts');
    const [post] = result.posts;
    if (post.history?.kind !== 'read') throw new Error('expected a history');
    expect(post.history.versions.map((v) => [v.content.text, v.content.editedAt === null])).toEqual([
      ['Version one.', true],
      ['Version two.', false],
    ]);
  });

  it('adds at most maxHistoryVersions versions from one history, the first missed and the newest, saying so', async () => {
    const id = server.publish('mfa', { content: 'Version 1.' }).id;
    const held = await holdNow(id);
    for (let n = 2; n <= 10; n += 1) server.edit(id, `Version ${n}.`);

    const [answer] = await new MastodonConnector(http, { maxHistoryVersions: 3 }).fetchMany(account, [
      { postId: id, url: '', held },
    ]);
    const post = foundPost(answer);
    expect(post.content.text).toBe('Version 10.');
    if (post.history?.kind !== 'read') throw new Error('expected a history');
    // missed: versions 2 to 9 (8 edits); kept: 2, then 8 and 9
    expect(post.history.versions.map((v) => v.content.text)).toEqual([
      'Version 2.',
      'Version 8.',
      'Version 9.',
    ]);
    const times = (
      JSON.parse(historyRequests().at(-1)!.response!.body.toString()) as { created_at: string }[]
    ).map((e) => e.created_at);
    // the history lists the original (held) and versions 2 to 10; left out: versions 3 to 7
    expect(post.history.truncated).toBe(
      `Mastodon ${new URL(server.origin).host} edit history of status ${id}: 5 of 8 missed edits left out ` +
        `(made from ${times[2]} to ${times[6]}): at most 3 versions a post, the first missed edit and the newest kept`,
    );
    // they came after the first kept ('Version 2.'), before 'Version 8.'
    expect(post.history.truncatedAfter).toBe(0);

    const [whole] = await new MastodonConnector(http).fetchMany(account, [{ postId: id, url: '', held }]);
    const all = foundPost(whole).history;
    if (all?.kind !== 'read') throw new Error('expected a history');
    expect(all.versions).toHaveLength(8);
    expect(all.truncated).toBeUndefined();
  });

  it('keeps the original first when a history we read whole for the first time is cut short', async () => {
    const id = server.publish('mfa', { content: 'Version 1.' }).id;
    for (let n = 2; n <= 6; n += 1) server.edit(id, `Version ${n}.`);
    const result = await new MastodonConnector(http, { maxHistoryVersions: 2 }).poll(account, {});
    if (result.kind !== 'posts') throw new Error('expected posts');
    const [post] = result.posts;
    if (post.history?.kind !== 'read') throw new Error('expected a history');
    expect(post.history.versions.map((v) => [v.content.text, v.content.editedAt === null])).toEqual([
      ['Version 1.', true],
      ['Version 5.', false],
    ]);
    expect(post.history.truncated).toMatch(
      /: 3 of 5 missed edits left out .*, the first missed edit and the newest kept$/,
    );
  });

  it('makes at most maxHistoryLookups history requests per call', async () => {
    const ids = [1, 2, 3].map((n) => server.publish('mfa', { content: `Post ${n}` }).id);
    for (const id of ids) server.edit(id, 'Edited.');
    const result = await new MastodonConnector(http, { maxHistoryLookups: 2 }).poll(account, {});
    if (result.kind !== 'posts') throw new Error('expected posts');
    expect(result.posts.map((p) => p.history?.kind)).toEqual(['read', 'read', 'failed']);
    expect(historyRequests()).toHaveLength(2);
  });
});
