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
    const empty = (await app.http().get('/feeds/deleted.atom').expect(200)).text;
    expect(assertValidAtom(empty)).toHaveLength(0);
    // nothing deleted yet: the feed has not changed since the archive began following its first account
    const [{ created_at: began }]: { created_at: Date }[] = await app.db.query(
      `SELECT created_at FROM accounts ORDER BY created_at LIMIT 1`,
    );
    expect((parser.parse(empty) as { feed: Node }).feed.updated).toBe(began.toISOString());
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
    // versions are append-only: the deletions are set after the real captures instead
    const [{ captured }]: { captured: Date }[] = await app.db.query(
      `SELECT max(captured_at) AS captured FROM versions`,
    );
    const later = (seconds: number) => new Date(captured.getTime() + seconds * 1000);
    const setDeleted = (id: string, deleted: Date) =>
      app.db.query(`UPDATE statements SET status = 'deleted', status_changed_at = $2 WHERE id = $1`, [
        id,
        deleted,
      ]);
    // the older capture deleted last: the deletion is the news
    await setDeleted(older.id, later(3600));
    await setDeleted(newer.id, later(60));
    const xml = (await app.http().get('/feeds/deleted.atom').expect(200)).text;
    const entries = assertValidAtom(xml);
    expect(entries.map((e) => [e.id, e.updated])).toEqual([
      [`urn:uuid:${older.id}`, later(3600).toISOString()],
      [`urn:uuid:${newer.id}`, later(60).toISOString()],
    ]);
    expect((parser.parse(xml) as { feed: Node }).feed.updated).toBe(later(3600).toISOString());
    const readable = `${later(3600).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
    expect(textOf(entries[0].content)).toContain(`Deleted: the deletion was observed ${readable}.`);
    // the statements feed keeps capture order, its entries dated by their latest change (here, the deletion)
    const all = assertValidAtom((await app.http().get('/feeds/statements.atom').expect(200)).text);
    expect(all.map((e) => [e.id, e.updated])).toEqual([
      [`urn:uuid:${newer.id}`, later(60).toISOString()],
      [`urn:uuid:${older.id}`, later(3600).toISOString()],
    ]);
  });
});

/**
 * The feeds through what a newsroom follows them for, read from a fake Mastodon that edits, deletes and restores
 * posts, with rechecks every second and a deletion confirmed after two: each change updates the entry readers
 * already have, in place, and says what happened.
 */
describe('Atom feeds through an edit, a deletion and a restoration', () => {
  let env: TestEnvironment;
  let mastodon: FakeMastodon;
  let app: TestApp;
  let accountId: string;
  const posts = { kept: '', edited: '', deleted: '' };
  const statements = { kept: '', edited: '', deleted: '' };
  /** the entry ids of the statements feed before anything changed, newest captured first */
  let order: string[];

  beforeAll(async () => {
    env = await createTestEnvironment();
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'mfa', displayName: 'Ministry' });
    posts.kept = mastodon.publish('mfa', { content: '<p>A statement that stays as it is.</p>' }).id;
    posts.edited = mastodon.publish('mfa', { content: '<p>We will not negotiate under threats.</p>' }).id;
    posts.deleted = mastodon.publish('mfa', { content: '<p>A statement that will be deleted.</p>' }).id;
    app = await startTestApp(
      env.config({
        VERBATIM_PUBLIC_URL: 'https://archive.example.org',
        VERBATIM_RECHECK_MIN_SECONDS: '1',
        VERBATIM_RECHECK_MAX_SECONDS: '1',
        VERBATIM_DELETION_CONFIRM_SECONDS: '2',
      }),
    );
    const res = await app
      .write('post', '/api/v1/accounts')
      .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 3600 })
      .expect(201);
    accountId = (res.body as { id: string }).id;
    for (const which of ['kept', 'edited', 'deleted'] as const) {
      statements[which] = await waitFor(`the statement of ${which}`, async () => {
        const [row]: { id: string }[] = await app.db.query(
          `SELECT id FROM statements WHERE external_id = $1`,
          [posts[which]],
        );
        return row?.id;
      });
    }
    order = assertValidAtom(await feed('/feeds/statements.atom')).map((e) => String(e.id));
  });

  afterAll(async () => {
    await app?.close();
    await mastodon?.close();
    await env?.destroy();
  });

  const feed = async (path: string) => (await app.http().get(path).expect(200)).text;
  const entryOf = (entries: Node[], statementId: string) =>
    entries.find((e) => e.id === `urn:uuid:${statementId}`);
  const category = (entry: Node | undefined) => (entry?.category as Node | undefined)?.['@term'];
  const row = async (statementId: string) =>
    (
      (await app.db.query(
        `SELECT s.status, s.status_changed_at, s.authored_at, s.first_captured_at, v.captured_at AS latest_captured_at
       FROM statements s JOIN versions v ON v.statement_id = s.id AND v.number = s.latest_version WHERE s.id = $1`,
        [statementId],
      )) as {
        status: string;
        status_changed_at: Date | null;
        authored_at: Date | null;
        first_captured_at: Date;
        latest_captured_at: Date;
      }[]
    )[0];
  /** A feed, parsed and checked, once `ready` says so of it: statuses move on their own, so the feed is what waits. */
  const feedWhen = (what: string, path: string, ready: (entries: Node[]) => boolean) =>
    waitFor(
      what,
      async () => {
        const xml = await feed(path);
        const entries = assertValidAtom(xml);
        return ready(entries)
          ? { entries, updated: String((parser.parse(xml) as { feed: Node }).feed.updated) }
          : undefined;
      },
      15_000,
    );
  const newest = (entries: Node[]) =>
    entries
      .map((e) => String(e.updated))
      .sort()
      .at(-1);

  it('updates an edited entry in place: its latest version, dated by its capture, published when authored', async () => {
    const before = entryOf(assertValidAtom(await feed('/feeds/statements.atom')), statements.edited)!;
    mastodon.edit(posts.edited, '<p>We will negotiate under no threats.</p>');
    const { entries, updated } = await feedWhen('the edit in the feed', '/feeds/statements.atom', (entries) =>
      textOf(entryOf(entries, statements.edited)?.content).includes('version 2'),
    );
    const entry = entryOf(entries, statements.edited)!;
    const saved = await row(statements.edited);
    expect(entry.updated).toBe(saved.latest_captured_at.toISOString());
    expect(Date.parse(String(entry.updated))).toBeGreaterThan(Date.parse(String(before.updated)));
    expect(entry.published).toBe(before.published);
    expect(entry.published).toBe((saved.authored_at ?? saved.first_captured_at).toISOString());
    expect(textOf(entry.title)).toBe('We will negotiate under no threats.');
    expect(textOf(entry.content)).toContain('Edited: this is version 2, captured ');
    expect(category(entry)).toBe('active');
    // the order stays capture order; the feed is as new as its newest entry, this one
    expect(entries.map((e) => e.id)).toEqual(order);
    expect(updated).toBe(entry.updated);
    expect(updated).toBe(newest(entries));
  });

  it('says a statement is not found, then deleted, in the statements and account feeds', async () => {
    mastodon.remove(posts.deleted);
    const missing = await feedWhen(
      'the statement not found',
      '/feeds/statements.atom',
      (entries) => category(entryOf(entries, statements.deleted)) === 'missing',
    );
    const notFound = entryOf(missing.entries, statements.deleted)!;
    expect(textOf(notFound.title)).toBe('[Not found] A statement that will be deleted.');
    expect(textOf(notFound.content)).toMatch(
      /^<p>Not found since .* UTC; its deletion is not confirmed yet\.<\/p>/,
    );
    for (const path of ['/feeds/statements.atom', `/feeds/accounts/${accountId}.atom`]) {
      const { entries, updated } = await feedWhen(
        `the deletion in ${path}`,
        path,
        (entries) => category(entryOf(entries, statements.deleted)) === 'deleted',
      );
      const entry = entryOf(entries, statements.deleted)!;
      const saved = await row(statements.deleted);
      expect(saved.status).toBe('deleted');
      expect(entry.updated).toBe(saved.status_changed_at!.toISOString());
      expect(Date.parse(String(entry.updated))).toBeGreaterThan(Date.parse(String(notFound.updated)));
      expect(textOf(entry.title)).toBe('[Deleted] A statement that will be deleted.');
      expect(textOf(entry.content)).toMatch(/^<p>Deleted: the deletion was observed .* UTC\.<\/p>/);
      expect((entry.category as Node)['@label']).toBe('Deleted');
      expect(entries.map((e) => e.id)).toEqual(order);
      expect(updated).toBe(newest(entries));
      expect(updated).toBe(entry.updated);
    }
    const deleted = await feedWhen(
      'the deleted feed',
      '/feeds/deleted.atom',
      (entries) => entries.length === 1,
    );
    expect(deleted.entries[0].id).toBe(`urn:uuid:${statements.deleted}`);
    expect(textOf(deleted.entries[0].title)).toBe('[Deleted] A statement that will be deleted.');
    expect(deleted.updated).toBe(deleted.entries[0].updated);
  });

  it('keeps a restored statement in the deleted feed, marked restored and dated by its restoration', async () => {
    const deletedAt = String(
      entryOf(assertValidAtom(await feed('/feeds/deleted.atom')), statements.deleted)!.updated,
    );
    mastodon.restore(posts.deleted);
    const { entries, updated } = await feedWhen(
      'the restoration in the deleted feed',
      '/feeds/deleted.atom',
      (entries) => category(entryOf(entries, statements.deleted)) === 'restored',
    );
    expect(entries).toHaveLength(1);
    const entry = entries[0];
    const saved = await row(statements.deleted);
    expect(saved.status).toBe('active');
    expect(entry.updated).toBe(saved.status_changed_at!.toISOString());
    expect(Date.parse(String(entry.updated))).toBeGreaterThan(Date.parse(deletedAt));
    expect(textOf(entry.title)).toBe('[Restored] A statement that will be deleted.');
    expect(textOf(entry.content)).toMatch(
      /^<p>Restored .* UTC: available again\.<\/p>A statement that will be deleted\./,
    );
    expect(updated).toBe(entry.updated);
    // elsewhere the entry is plain again, and says it came back
    const all = assertValidAtom(await feed('/feeds/statements.atom'));
    const back = entryOf(all, statements.deleted)!;
    expect(textOf(back.title)).toBe('A statement that will be deleted.');
    expect(category(back)).toBe('restored');
    expect(back.updated).toBe(entry.updated);
    expect(all.map((e) => e.id)).toEqual(order);
    // the statement nothing happened to is still dated by its capture
    const kept = entryOf(all, statements.kept)!;
    expect(kept.updated).toBe((await row(statements.kept)).first_captured_at.toISOString());
    expect(textOf(kept.content)).toBe('A statement that stays as it is.');
  });

  it('lists a restoration only while it is the last status change: a later spell away takes it out', async () => {
    // as a later "not found" that was found again leaves it: active, changed since the restoration
    await app.db.query(`UPDATE statements SET status_changed_at = now() WHERE id = $1`, [statements.deleted]);
    const entries = assertValidAtom(await feed('/feeds/deleted.atom'));
    expect(entryOf(entries, statements.deleted)).toBeUndefined();
  });
});
