import { type FakeMastodon, startFakeMastodon } from './fake-mastodon-server';
import { KULEBA_STATEMENT_TEXT, kulebaStatement } from './kuleba-statement';

let server: FakeMastodon;

afterEach(async () => {
  await server?.close();
});

async function get(path: string) {
  const response = await fetch(`${server.origin}${path}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  return {
    status: response.status,
    headers: response.headers,
    text: bytes.toString('utf8'),
    json: JSON.parse(bytes.toString('utf8')) as unknown,
  };
}

type Row = { id: string } & Record<string, unknown>;
const ids = (json: unknown) => (json as Row[]).map((s) => s.id);

describe('startFakeMastodon', () => {
  it('serves statuses with every field of the documented entity, HTML escaped as Rails does', async () => {
    server = await startFakeMastodon();
    const status = kulebaStatement(server);
    const { status: code, headers, text, json } = await get(`/api/v1/statuses/${status.id}`);
    expect(code).toBe(200);
    expect(headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = json as Row;
    expect(Object.keys(body)).toEqual([
      'id',
      'created_at',
      'in_reply_to_id',
      'in_reply_to_account_id',
      'sensitive',
      'spoiler_text',
      'visibility',
      'language',
      'uri',
      'url',
      'replies_count',
      'reblogs_count',
      'favourites_count',
      'quotes_count',
      'edited_at',
      'content',
      'reblog',
      'application',
      'account',
      'media_attachments',
      'mentions',
      'tags',
      'emojis',
      'quote',
      'card',
      'poll',
    ]);
    expect(body.id).toMatch(/^\d{17,19}$/);
    expect(body.created_at).toMatch(/^2022-02-27T\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(body.content).toBe(`<p>${KULEBA_STATEMENT_TEXT}</p>`);
    expect(text).toContain(`"content":"\\u003cp\\u003eForeigners willing`);
    expect(body.url).toBe(`${server.origin}/@DmytroKuleba/${body.id}`);
    expect(body.uri).toBe(`${server.origin}/users/DmytroKuleba/statuses/${body.id}`);
    const account = body.account as Record<string, unknown>;
    expect(account).toMatchObject({
      username: 'DmytroKuleba',
      acct: 'DmytroKuleba',
      display_name: 'Dmytro Kuleba',
      statuses_count: 1,
    });
    expect(typeof account.id).toBe('string');
  });

  it('renders media attachments with meta, and plain text the way Mastodon formats it', async () => {
    server = await startFakeMastodon();
    server.addAccount({ username: 'mfa' });
    const status = server.publish('mfa', {
      content: 'Line one\nline two\n\nSecond <paragraph>',
      media: [{ type: 'video' }],
    });
    expect(status.content).toBe('<p>Line one<br />line two</p><p>Second &lt;paragraph&gt;</p>');
    const [media] = status.media_attachments as Record<string, unknown>[];
    expect(media).toMatchObject({ type: 'video', remote_url: null, description: null });
    expect((media.meta as Record<string, unknown>).original).toMatchObject({ width: 1280, height: 720 });
  });

  it('pages like Mastodon, with the Link header Mastodon writes', async () => {
    server = await startFakeMastodon({ firstId: 1 });
    const account = server.addAccount({ username: 'mfa' });
    for (let i = 0; i < 5; i++) server.publish('mfa', { content: `Post ${i + 1}` }); // ids 1..5
    const base = `${server.origin}/api/v1/accounts/${account.id}/statuses`;

    const first = await get(`/api/v1/accounts/${account.id}/statuses?limit=2&exclude_replies=true`);
    expect(ids(first.json)).toEqual(['5', '4']);
    expect(first.headers.get('link')).toBe(
      `<${base}?exclude_replies=true&limit=2&max_id=4>; rel="next", <${base}?exclude_replies=true&limit=2&min_id=5>; rel="prev"`,
    );

    const last = await get(`/api/v1/accounts/${account.id}/statuses?limit=2&max_id=2`);
    expect(ids(last.json)).toEqual(['1']);
    expect(last.headers.get('link')).toBe(`<${base}?limit=2&min_id=1>; rel="prev"`);

    const empty = await get(`/api/v1/accounts/${account.id}/statuses?min_id=5`);
    expect(empty.json).toEqual([]);
    expect(empty.headers.get('link')).toBeNull();
  });

  it('answers min_id with the posts just above it and since_id with the newest ones', async () => {
    server = await startFakeMastodon({ firstId: 1 });
    const account = server.addAccount({ username: 'mfa' });
    for (let i = 0; i < 6; i++) server.publish('mfa', { content: `Post ${i + 1}` });
    const path = `/api/v1/accounts/${account.id}/statuses?limit=2`;
    expect(ids((await get(`${path}&min_id=1`)).json)).toEqual(['3', '2']);
    expect(ids((await get(`${path}&since_id=1`)).json)).toEqual(['6', '5']);
    expect(ids((await get(`${path}&since_id=1&max_id=5`)).json)).toEqual(['4', '3']);
  });

  it('filters replies, boosts and media-less posts on request', async () => {
    server = await startFakeMastodon({ firstId: 1 });
    const account = server.addAccount({ username: 'mfa' });
    server.addAccount({ username: 'other' });
    const plain = server.publish('mfa', { content: 'Plain' }); // 1
    server.publish('mfa', { content: 'Reply', inReplyToId: plain.id }); // 2
    const theirs = server.publish('other', { content: 'Theirs' }); // 3
    server.publish('mfa', { reblogOf: theirs.id }); // 4
    server.publish('mfa', { content: 'Photo', media: [{ type: 'image' }] }); // 5
    server.publish('mfa', { content: 'Followers only', visibility: 'private' }); // 6
    const path = `/api/v1/accounts/${account.id}/statuses`;
    expect(ids((await get(path)).json)).toEqual(['5', '4', '2', '1']);
    expect(ids((await get(`${path}?exclude_replies=true`)).json)).toEqual(['5', '4', '1']);
    expect(ids((await get(`${path}?exclude_reblogs=1`)).json)).toEqual(['5', '2', '1']);
    expect(ids((await get(`${path}?only_media=true`)).json)).toEqual(['5']);
    expect(ids((await get(`${path}?exclude_replies=false`)).json)).toEqual(['5', '4', '2', '1']);
    const boost = (await get(path)).json as Row[];
    expect(boost[1]).toMatchObject({ content: '', reblog: { id: '3', content: '<p>Theirs</p>' } });
  });

  it('looks accounts up, and edits and removes statuses', async () => {
    server = await startFakeMastodon();
    const account = server.addAccount({ username: 'mfa', displayName: 'MFA' });
    expect((await get('/api/v1/accounts/lookup?acct=MFA')).json).toMatchObject({ id: account.id });
    expect((await get(`/api/v1/accounts/lookup?acct=mfa@${server.host}`)).json).toMatchObject({
      id: account.id,
    });
    const missing = await get('/api/v1/accounts/lookup?acct=nobody');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ error: 'Record not found' });

    const status = server.publish('mfa', { content: 'First' });
    expect(status.edited_at).toBeNull();
    server.edit(status.id, 'Second');
    const edited = (await get(`/api/v1/statuses/${status.id}`)).json as Row;
    expect(edited).toMatchObject({ content: '<p>Second</p>', created_at: status.created_at });
    expect(edited.edited_at).toMatch(/Z$/);
    server.remove(status.id);
    expect((await get(`/api/v1/statuses/${status.id}`)).status).toBe(404);
  });

  it('sends rate-limit headers on every response and logs requests and answers', async () => {
    server = await startFakeMastodon();
    const ok = await get('/api/v1/instance');
    const missing = await get('/api/v1/statuses/1');
    for (const { headers } of [ok, missing]) {
      expect(headers.get('x-ratelimit-limit')).toBe('300');
      expect(headers.get('x-ratelimit-reset')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    }
    expect(Number(missing.headers.get('x-ratelimit-remaining'))).toBe(
      Number(ok.headers.get('x-ratelimit-remaining')) - 1,
    );
    expect(server.requestLog.map((r) => [r.path, r.response?.status])).toEqual([
      ['/api/v1/instance', 200],
      ['/api/v1/statuses/1', 404],
    ]);
  });

  it('fails on demand, per account and for a number of requests', async () => {
    server = await startFakeMastodon();
    server.addAccount({ username: 'mfa' });
    server.addAccount({ username: 'other' });
    server.fail({ mode: 'unauthorized', username: 'mfa', times: 1 });
    expect((await get('/api/v1/accounts/lookup?acct=other')).status).toBe(200);
    const refused = await get('/api/v1/accounts/lookup?acct=mfa');
    expect([refused.status, refused.json]).toEqual([
      401,
      { error: 'This API requires an authenticated user' },
    ]);
    expect((await get('/api/v1/accounts/lookup?acct=mfa')).status).toBe(200);

    server.fail({ mode: 'rate-limited', resetAt: new Date('2030-01-01T00:05:00Z') });
    const limited = await get('/api/v1/instance');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-ratelimit-reset')).toBe('2030-01-01T00:05:00.000000Z');
    server.clearFailures();

    server.fail({ mode: 'garbage' });
    const garbage = await fetch(`${server.origin}/api/v1/instance`);
    expect(garbage.status).toBe(200);
    await expect(garbage.json()).rejects.toThrow();
  });

  it('looks statuses up by id in one request (4.3+), leaving out what a reader may not see', async () => {
    server = await startFakeMastodon({ batchLimit: 3 });
    server.addAccount({ username: 'mfa' });
    const [a, b, c] = ['one', 'two', 'three'].map((content) => server.publish('mfa', { content }).id);
    const hidden = server.publish('mfa', { content: 'followers', visibility: 'private' }).id;
    server.remove(b);
    const batch = await get(`/api/v1/statuses?id[]=${c}&id[]=${b}&id[]=${a}`);
    expect(batch.status).toBe(200);
    expect(ids(batch.json)).toEqual([a, c]);
    expect(ids((await get(`/api/v1/statuses?id[]=${hidden}`)).json)).toEqual([]);
    expect((await get(`/api/v1/statuses?id[]=1&id[]=2&id[]=3&id[]=4`)).status).toBe(422);

    server.fail({ mode: 'gone', exactPath: `/api/v1/statuses/${a}` });
    server.fail({ mode: 'forbidden', exactPath: '/api/v1/statuses' });
    expect((await get(`/api/v1/statuses/${a}0`)).status).toBe(404);
    expect((await get(`/api/v1/statuses/${a}`)).status).toBe(410);
    expect((await get(`/api/v1/statuses?id[]=${a}`)).status).toBe(403);
  });

  it('has no batch lookup when told to behave like a server before 4.3', async () => {
    server = await startFakeMastodon({ batchStatuses: false });
    server.addAccount({ username: 'mfa' });
    const { id } = server.publish('mfa', { content: 'one' });
    expect((await get(`/api/v1/statuses?id[]=${id}`)).status).toBe(404);
    expect((await get(`/api/v1/statuses/${id}`)).status).toBe(200);
  });

  it('keeps the edit history and serves it as Mastodon does: StatusEdit fields, oldest first, current last', async () => {
    server = await startFakeMastodon();
    server.addAccount({ username: 'mfa' });
    const status = server.publish('mfa', {
      content: 'First words.',
      media: [{ type: 'image', description: 'a map' }],
    });
    const never = await get(`/api/v1/statuses/${status.id}/history`);
    expect(never.status).toBe(200);
    // never edited: the one snapshot Mastodon builds on the fly, at created_at
    expect((never.json as Row[]).map((e) => [e.content, e.created_at])).toEqual([
      ['<p>First words.</p>', status.created_at],
    ]);

    server.edit(status.id, 'Second words.');
    const edited = server.edit(status.id, 'Third words.', { spoilerText: 'cw' });
    const { json, text } = await get(`/api/v1/statuses/${status.id}/history`);
    const edits = json as Row[];
    expect(edits.map((e) => Object.keys(e))).toEqual(
      edits.map(() => [
        'content',
        'spoiler_text',
        'sensitive',
        'created_at',
        'account',
        'media_attachments',
        'emojis',
      ]),
    );
    expect(edits.map((e) => [e.content, e.spoiler_text])).toEqual([
      ['<p>First words.</p>', ''],
      ['<p>Second words.</p>', ''],
      ['<p>Third words.</p>', 'cw'],
    ]);
    const times = edits.map((e) => e.created_at as string);
    expect(times[0]).toBe(status.created_at);
    expect(times.at(-1)).toBe(edited.edited_at);
    expect([...times].sort()).toEqual(times);
    expect(new Set(times).size).toBe(3);
    expect((edits[0].account as Row).id).toBe((status.account as Row).id);
    expect((edits[0].media_attachments as Row[]).map((m) => m.description)).toEqual(['a map']);
    expect(text).toContain('\\u003cp\\u003eFirst words.');

    server.remove(status.id);
    expect((await get(`/api/v1/statuses/${status.id}/history`)).status).toBe(404);
  });

  it('closes even with a request left hanging', async () => {
    server = await startFakeMastodon();
    server.fail({ mode: 'hang' });
    const pending = fetch(`${server.origin}/api/v1/instance`).then(
      () => 'answered',
      () => 'cut off',
    );
    while (server.requestLog.length === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(server.requestLog[0].response).toBeUndefined();
    await server.close();
    expect(await pending).toBe('cut off');
  });
});
