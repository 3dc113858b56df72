import { kulebaStatement, startFakeMastodon } from '@app/testing/fake-mastodon';
import { KULEBA_STATEMENT_HTML, KULEBA_USERNAME, kulebaRecords } from './kuleba-statement';
import { type StatusRecord } from './mastodon-json';
import { type SandboxMastodon, startSandboxMastodon } from './sandbox-mastodon-server';

let sandbox: SandboxMastodon;
afterEach(() => sandbox?.close());

async function get(path: string, method = 'GET') {
  const res = await fetch(`${sandbox.origin}${path}`, { method });
  const text = await res.text();
  return {
    status: res.status,
    link: res.headers.get('link'),
    text,
    json: JSON.parse(text || 'null') as unknown,
  };
}

const ids = (json: unknown) => (json as { id: string }[]).map((s) => s.id);

/** Kuleba's account with `count` more statuses, ids 1..count. */
function withStatuses(count: number) {
  const { accounts, statuses } = kulebaRecords();
  const more: StatusRecord[] = Array.from({ length: count }, (_, i) => ({
    ...statuses[0],
    id: String(i + 1),
    content: `<p>Post ${i + 1}</p>`,
  }));
  return { accounts, statuses: more };
}

describe('startSandboxMastodon (the demo platform)', () => {
  it('serves the Kuleba statement byte for byte as the test fake renders it (shared renderers and data)', async () => {
    sandbox = await startSandboxMastodon(kulebaRecords());
    const fake = await startFakeMastodon();
    try {
      const published = kulebaStatement(fake);
      const ours = await get(`/api/v1/statuses/${published.id}`);
      const theirs = await (await fetch(`${fake.origin}/api/v1/statuses/${published.id}`)).text();
      expect(ours.status).toBe(200);
      expect(ours.text).toBe(theirs.replaceAll(fake.origin, sandbox.origin));
      expect((ours.json as { content: string }).content).toBe(KULEBA_STATEMENT_HTML);
    } finally {
      await fake.close();
    }
  });

  it('looks the account up and lists its statuses', async () => {
    sandbox = await startSandboxMastodon(kulebaRecords());
    const [status] = kulebaRecords().statuses;
    const host = new URL(sandbox.origin).host;
    const account = await get(`/api/v1/accounts/lookup?acct=${KULEBA_USERNAME.toLowerCase()}`);
    expect(account.json).toMatchObject({
      username: KULEBA_USERNAME,
      url: sandbox.profileUrl(KULEBA_USERNAME),
    });
    expect((await get(`/api/v1/accounts/lookup?acct=${KULEBA_USERNAME}@${host}`)).status).toBe(200);
    const id = (account.json as { id: string }).id;
    expect((await get(`/api/v1/accounts/${id}`)).json).toEqual(account.json);
    const list = await get(`/api/v1/accounts/${id}/statuses?limit=5`);
    expect(ids(list.json)).toEqual([status.id]);
    expect(list.link).toBe(
      `<${sandbox.origin}/api/v1/accounts/${id}/statuses?limit=5&min_id=${status.id}>; rel="prev"`,
    );
  });

  it('pages newest first with max_id, min_id and since_id, and says where the next pages are', async () => {
    sandbox = await startSandboxMastodon(withStatuses(5));
    const id = kulebaRecords().accounts[0].id;
    const base = `${sandbox.origin}/api/v1/accounts/${id}/statuses`;
    const first = await get(`/api/v1/accounts/${id}/statuses?limit=2`);
    expect(ids(first.json)).toEqual(['5', '4']);
    expect(first.link).toBe(`<${base}?limit=2&max_id=4>; rel="next", <${base}?limit=2&min_id=5>; rel="prev"`);
    expect(ids((await get(`/api/v1/accounts/${id}/statuses?limit=2&max_id=2`)).json)).toEqual(['1']);
    expect(ids((await get(`/api/v1/accounts/${id}/statuses?limit=2&min_id=1`)).json)).toEqual(['3', '2']);
    expect(ids((await get(`/api/v1/accounts/${id}/statuses?limit=2&since_id=1`)).json)).toEqual(['5', '4']);
    const empty = await get(`/api/v1/accounts/${id}/statuses?min_id=5`);
    expect([empty.json, empty.link]).toEqual([[], null]);
    // a cursor that is not an id is ignored, not a crash
    expect(ids((await get(`/api/v1/accounts/${id}/statuses?limit=2&max_id=abc`)).json)).toEqual(['5', '4']);
  });

  it('answers what it does not have as Mastodon does', async () => {
    sandbox = await startSandboxMastodon(kulebaRecords());
    expect(await get('/api/v1/accounts/lookup?acct=nobody')).toMatchObject({
      status: 404,
      json: { error: 'Record not found' },
    });
    expect((await get('/api/v1/accounts/lookup?acct=DmytroKuleba@elsewhere.example')).status).toBe(404);
    expect((await get('/api/v1/statuses/1')).status).toBe(404);
    expect((await get('/api/v1/accounts/1/statuses')).status).toBe(404);
    expect((await get('/api/v2/search')).json).toEqual({ error: 'Not Found' });
    expect((await get('/api/v1/statuses', 'POST')).status).toBe(405);
  });
});
