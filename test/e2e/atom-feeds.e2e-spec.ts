import { XMLParser } from 'fast-xml-parser';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { startTestApp, waitFor, type TestApp } from './support/app';

type Node = Record<string, unknown>;

/** An element's text whether the parser gave a string or an object with attributes. */
function textOf(value: unknown): string {
  return typeof value === 'object' && value !== null ? String((value as Node)['#text']) : String(value);
}
const ATOM_NS = 'http://www.w3.org/2005/Atom';
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => ['entry', 'link', 'author'].includes(name),
});

/** The RFC 4287 rules a feed and its entries must meet, checked on the parsed document. */
function assertValidAtom(xml: string): Node[] {
  const doc = parser.parse(xml) as { feed: Node };
  const feed = doc.feed;
  expect(feed['@xmlns']).toBe(ATOM_NS);
  // atom:feed MUST contain exactly one id, title and updated; author unless every entry has one
  for (const element of ['id', 'title', 'updated']) expect(feed[element]).toBeDefined();
  expect(Number.isNaN(Date.parse(String(feed.updated)))).toBe(false);
  const links = (feed.link as Node[]) ?? [];
  expect(links.some((l) => l['@rel'] === 'self')).toBe(true);
  const entries = (feed.entry as Node[]) ?? [];
  for (const entry of entries) {
    for (const element of ['id', 'title', 'updated']) expect(entry[element]).toBeDefined();
    expect(Number.isNaN(Date.parse(String(entry.updated)))).toBe(false);
    // an entry MUST have content or an alternate link
    expect(entry.content !== undefined || ((entry.link as Node[]) ?? []).length > 0).toBe(true);
    expect(feed.author !== undefined || entry.author !== undefined).toBe(true);
  }
  return entries;
}

describe('Atom feeds', () => {
  let env: TestEnvironment;
  let mastodon: FakeMastodon;
  let app: TestApp;
  let accountId: string;

  beforeAll(async () => {
    env = await createTestEnvironment();
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'mfa', displayName: 'Міністерство закордонних справ' });
    mastodon.publish('mfa', { content: '<p>Заява щодо <b>санкцій</b> &amp; "безпеки".</p>' });
    mastodon.publish('mfa', {
      content: '<p>A &lt;script&gt;alert(1)&lt;/script&gt; in text ]]&gt; &lt;b&gt;x&lt;/b&gt;</p>',
    });
    app = await startTestApp(env.config({ VERBATIM_PUBLIC_URL: 'https://archive.example.org' }));
    const res = await app
      .write('post', '/api/v1/accounts')
      .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 60 })
      .expect(201);
    accountId = (res.body as { id: string }).id;
    await waitFor('two statements', async () => {
      const rows: unknown[] = await app.db.query(`SELECT 1 FROM statements`);
      return rows.length === 2 ? true : undefined;
    });
  });

  afterAll(async () => {
    await app?.close();
    await mastodon?.close();
    await env?.destroy();
  });

  it('serves the statements feed as valid Atom 1.0 with stable entry ids', async () => {
    const first = await app.http().get('/feeds/statements.atom').expect(200);
    expect(first.headers['content-type']).toMatch(/^application\/atom\+xml/);
    const entries = assertValidAtom(first.text);
    expect(entries).toHaveLength(2);
    const ids = entries.map((e) => e.id);
    expect(ids.every((id) => /^urn:uuid:[0-9a-f-]{36}$/.test(String(id)))).toBe(true);
    const again = assertValidAtom((await app.http().get('/feeds/statements.atom').expect(200)).text);
    expect(again.map((e) => e.id)).toEqual(ids);
    // title and content are HTML: after XML parsing they must still be escaped text, never markup
    const html = entries.flatMap((e) => [textOf(e.title), textOf(e.content)]);
    expect(html.some((h) => h.includes('Заява щодо санкцій &amp; &quot;безпеки&quot;.'))).toBe(true);
    expect(
      html.some((h) =>
        h.includes('A &lt;script&gt;alert(1)&lt;/script&gt; in text ]]&gt; &lt;b&gt;x&lt;/b&gt;'),
      ),
    ).toBe(true);
    expect(html.every((h) => !/<script|<b>/i.test(h))).toBe(true);
  });

  it("serves an account's feed and the deleted feed", async () => {
    const account = assertValidAtom(
      (await app.http().get(`/feeds/accounts/${accountId}.atom`).expect(200)).text,
    );
    expect(account).toHaveLength(2);
    expect(assertValidAtom((await app.http().get('/feeds/deleted.atom').expect(200)).text)).toHaveLength(0);
    await app.db.query(
      `UPDATE statements SET status = 'deleted' WHERE id = (SELECT id FROM statements LIMIT 1)`,
    );
    expect(assertValidAtom((await app.http().get('/feeds/deleted.atom').expect(200)).text)).toHaveLength(1);
  });

  it('answers errors as JSON, labelled JSON, not as Atom', async () => {
    const unknown = await app
      .http()
      .get('/feeds/accounts/00000000-0000-0000-0000-000000000000.atom')
      .expect(404);
    const malformed = await app.http().get('/feeds/accounts/nope.atom').expect(400);
    for (const res of [unknown, malformed]) {
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toMatchObject({ statusCode: res.status });
    }
  });

  it('links each entry to its reading-room page, which a reader opens in a browser', async () => {
    const [entry] = assertValidAtom((await app.http().get('/feeds/statements.atom').expect(200)).text);
    const id = String(entry.id).replace('urn:uuid:', '');
    expect((entry.link as Node[]).map((l) => l['@href'])).toEqual([
      `https://archive.example.org/statements/${id}`,
    ]);
    await app.http().get(`/statements/${id}`).expect(200);
  });

  it('dates the deleted feed by deletion, the most recently deleted first, whenever each was captured', async () => {
    const [older, newer]: { id: string }[] = await app.db.query(`SELECT id FROM statements ORDER BY seq`);
    const setTimes = (id: string, captured: string, deleted: string) =>
      app.db.query(
        `UPDATE statements SET first_captured_at = $2, status = 'deleted', status_changed_at = $3 WHERE id = $1`,
        [id, captured, deleted],
      );
    // captured long ago and deleted today: the deletion is the news
    await setTimes(older.id, '2026-01-01T09:00:00Z', '2026-03-02T13:00:58Z');
    await setTimes(newer.id, '2026-03-02T12:58:55Z', '2026-03-02T12:59:30Z');
    const xml = (await app.http().get('/feeds/deleted.atom').expect(200)).text;
    const entries = assertValidAtom(xml);
    expect(entries.map((e) => [e.id, e.updated])).toEqual([
      [`urn:uuid:${older.id}`, '2026-03-02T13:00:58.000Z'],
      [`urn:uuid:${newer.id}`, '2026-03-02T12:59:30.000Z'],
    ]);
    expect((parser.parse(xml) as { feed: Node }).feed.updated).toBe('2026-03-02T13:00:58.000Z');
    expect(textOf(entries[0].content)).toContain('Deletion observed 2026-03-02 13:00:58 UTC.');
    // the other feeds stay dated by capture
    const all = assertValidAtom((await app.http().get('/feeds/statements.atom').expect(200)).text);
    expect(all.find((e) => e.id === `urn:uuid:${older.id}`)?.updated).toBe('2026-01-01T09:00:00.000Z');
  });
});
