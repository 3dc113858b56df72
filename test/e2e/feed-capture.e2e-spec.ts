import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { PollAccountUseCase } from '@app/worker/poll/poll-account.use-case';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import {
  atomFeed,
  rssFeed,
  startFakeFeedServer,
  type AtomEntrySpec,
  type BuiltFeed,
  type ConditionalMode,
  type FakeFeedServer,
  type RssItemSpec,
} from '@app/testing/fake-feed-server';
import { countRows, startTestApp, waitFor, type TestApp } from './support/app';

interface Version {
  number: number;
  text: string;
  html: string | null;
  record: { platform: string; postId: string; text: string; artifacts: { role: string; sha256: string }[] };
  recordSha256: string;
  artifacts: { role: string; mediaType: string; size: number; sha256: string }[];
}
interface Statement {
  id: string;
  platform: string;
  url: string;
  versions: Version[];
}

/** One item of a feed under test: how to write it, the plain text a reader sees (by hand), and its link. */
interface Item {
  id: string;
  link: string;
  text: string;
}

/** A feed format under test: builds the document from its items, with one item's body replaceable. */
interface FeedCase<T> {
  name: string;
  path: string;
  /** the mode the server starts in; the quiet-poll test also tries the other one */
  mode: ConditionalMode;
  title: string;
  items: (T & Item)[];
  build: (items: T[]) => BuiltFeed;
  /** a new item, published after tracking began */
  added: T & Item;
  /** the first item reworded under the same guid/id */
  edited: (item: T) => T;
  editedText: string;
}

const RSS_ITEMS: (RssItemSpec & Item)[] = [
  {
    id: 'https://social.example/@mfa/113001',
    guid: 'https://social.example/@mfa/113001',
    link: 'https://social.example/@mfa/113001',
    pubDate: new Date('2025-03-01T10:00:00Z'),
    // Mastodon style: escaped HTML in <description>
    description:
      '<p>Foreign ministers met in Brussels today.<br />Joint statement follows.</p><p>Read it &amp; share.</p>',
    text: 'Foreign ministers met in Brussels today.\nJoint statement follows.\n\nRead it & share.',
  },
  {
    id: 'press-2025-0302',
    guid: 'press-2025-0302',
    guidIsPermaLink: false,
    link: 'https://mfa.example/press/0302',
    title: 'On sanctions',
    pubDate: new Date('2025-03-02T09:30:00Z'),
    // content:encoded (CDATA) wins over description
    description: 'A short teaser',
    contentEncoded:
      '<p>Statement on <a href="https://example.org/tags/sanctions" rel="tag">#<span>sanctions</span></a>: &quot;no exceptions&quot;</p>',
    text: 'Statement on #sanctions: "no exceptions"',
  },
  {
    id: 'https://social.example/@mfa/113003',
    guid: 'https://social.example/@mfa/113003',
    link: 'https://social.example/@mfa/113003',
    pubDate: new Date('2025-03-03T08:00:00Z'),
    description: '<p>Третій пакет санкцій — ухвалено.</p>',
    text: 'Третій пакет санкцій — ухвалено.',
  },
];

const ATOM_ENTRIES: (AtomEntrySpec & Item)[] = [
  {
    id: 'tag:mfa.example,2025:news/501',
    link: 'https://mfa.example/news/501',
    title: 'Strike on Odesa',
    published: '2025-03-01T12:00:00Z',
    updated: '2025-03-01T12:00:00Z',
    content: {
      type: 'html',
      value:
        '<p>The Ministry condemns the strike on Odesa.</p><p>Full text: <a href="/news/501/full">here</a>.</p>',
    },
    text: 'The Ministry condemns the strike on Odesa.\n\nFull text: here.',
  },
  {
    id: 'tag:mfa.example,2025:news/502',
    link: 'https://mfa.example/news/502',
    title: 'Talks',
    published: '2025-03-02T12:00:00Z',
    updated: '2025-03-02T12:00:00Z',
    content: { type: 'xhtml', value: '<p>The Minister &amp; his counterpart held <em>talks</em>.</p>' },
    text: 'The Minister & his counterpart held talks.',
  },
  {
    id: 'tag:mfa.example,2025:news/503',
    link: 'https://mfa.example/news/503',
    title: 'Briefing',
    published: '2025-03-03T12:00:00Z',
    updated: '2025-03-03T12:00:00Z',
    summary: 'Weekly <b>briefing</b> by the spokesperson',
    text: 'Weekly briefing by the spokesperson',
  },
];

const RSS_CASE: FeedCase<RssItemSpec> = {
  name: 'an RSS 2.0 feed',
  path: '/@mfa.rss',
  mode: 'conditional',
  title: 'Ministry of Foreign Affairs',
  items: RSS_ITEMS,
  build: (items) =>
    rssFeed({ title: 'Ministry of Foreign Affairs', link: 'https://social.example/@mfa', items }),
  added: {
    id: 'https://social.example/@mfa/113004',
    guid: 'https://social.example/@mfa/113004',
    link: 'https://social.example/@mfa/113004',
    pubDate: new Date('2025-03-04T08:00:00Z'),
    description: '<p>New statement after tracking began.</p>',
    text: 'New statement after tracking began.',
  },
  edited: (item) => ({
    ...item,
    description:
      '<p>Foreign ministers met in Brussels today.</p><p>Corrected: the joint statement follows.</p>',
  }),
  editedText: 'Foreign ministers met in Brussels today.\n\nCorrected: the joint statement follows.',
};

const ATOM_CASE: FeedCase<AtomEntrySpec> = {
  name: 'an Atom feed',
  path: '/news/atom.xml',
  mode: 'ignore-conditional',
  title: 'MFA news',
  items: ATOM_ENTRIES,
  build: (entries) => atomFeed({ title: 'MFA news', link: 'https://mfa.example/news', entries }),
  added: {
    id: 'tag:mfa.example,2025:news/504',
    link: 'https://mfa.example/news/504',
    title: 'Visit',
    published: '2025-03-04T12:00:00Z',
    updated: '2025-03-04T12:00:00Z',
    content: { type: 'html', value: '<p>State visit announced.</p>' },
    text: 'State visit announced.',
  },
  edited: (entry) => ({
    ...entry,
    updated: '2025-03-05T09:00:00Z',
    content: { type: 'html', value: '<p>The Ministry strongly condemns the strike on Odesa.</p>' },
  }),
  editedText: 'The Ministry strongly condemns the strike on Odesa.',
};

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('tracking RSS and Atom feeds', () => {
  let env: TestEnvironment;
  let app: TestApp;

  beforeAll(async () => {
    env = await createTestEnvironment();
    app = await startTestApp(env.config());
  });

  afterAll(async () => {
    await app?.close();
    await env?.destroy();
  });

  async function statementOf(accountId: string, postId: string): Promise<Statement | undefined> {
    const [row]: { id: string }[] = await app.db.query(
      `SELECT id FROM statements WHERE account_id = $1 AND external_id = $2`,
      [accountId, postId],
    );
    if (!row) return undefined;
    return (await app.http().get(`/api/v1/statements/${row.id}`).expect(200)).body as Statement;
  }

  /** Checks a version against the document it was read from: record hash, and the archived feed bytes. */
  async function expectVerifiable(version: Version, served: BuiltFeed): Promise<void> {
    // the hash anyone can recompute: SHA-256 of the RFC 8785 bytes of the record
    expect(sha256(Buffer.from(canonicalize(version.record)!, 'utf8'))).toBe(version.recordSha256);
    const feed = version.artifacts.filter((a) => a.role === 'feed');
    const digest = sha256(served.body);
    expect(feed).toEqual([
      {
        role: 'feed',
        mediaType: served.contentType,
        size: served.body.length,
        sha256: digest,
        url: `/api/v1/artifacts/${digest}`,
      },
    ]);
    expect(version.record.artifacts).toContainEqual({ role: 'feed', sha256: digest });
    const res = await app.http().get(`/api/v1/artifacts/${digest}`).responseType('blob').expect(200);
    expect((res.body as Buffer).equals(served.body)).toBe(true);
  }

  function describeFeed<T>(feedCase: FeedCase<T>): void {
    describe(feedCase.name, () => {
      let server: FakeFeedServer;
      let accountId: string;
      let items: (T & Item)[];
      let served: BuiltFeed;

      const serve = (next: (T & Item)[]) => {
        items = next;
        served = feedCase.build(items);
        server.setFeed(feedCase.path, served);
      };

      beforeAll(async () => {
        server = await startFakeFeedServer({ mode: feedCase.mode });
        serve(feedCase.items);
      });

      afterAll(async () => {
        await server?.close();
      });

      it('starts tracking the feed URL', async () => {
        const url = server.url(feedCase.path);
        const res = await app
          .write('post', '/api/v1/accounts')
          .send({ url, pollIntervalSeconds: 1 })
          .expect(201);
        expect(res.body).toMatchObject({
          platform: 'feed',
          handle: url,
          displayName: feedCase.title,
          sourceUrl: url,
          pollIntervalSeconds: 1,
          tracking: true,
        });
        accountId = res.body.id;
      });

      it('answers 409 for the same feed asked with a fragment or utm_* tags, and keeps one account', async () => {
        const url = server.url(feedCase.path);
        for (const variant of [`${url}#frag`, `${url}?utm_source=x`, `${url}?utm_medium=rss#top`]) {
          const res = await app.write('post', '/api/v1/accounts').send({ url: variant }).expect(409);
          expect(JSON.stringify(res.body)).toContain(accountId);
        }
        const accounts: { id: string }[] = await app.db.query(
          `SELECT id FROM accounts WHERE platform = 'feed' AND source_url LIKE $1`,
          [`${url}%`],
        );
        expect(accounts).toEqual([{ id: accountId }]);
      });

      it('captures every item with its plain text, a verifiable record hash and the exact feed bytes', async () => {
        const captured = served;
        await waitFor('every item', async () => {
          const [{ n }]: { n: string }[] = await app.db.query(
            `SELECT count(*) AS n FROM statements WHERE account_id = $1`,
            [accountId],
          );
          return Number(n) === feedCase.items.length ? true : undefined;
        });
        for (const item of feedCase.items) {
          const statement = (await statementOf(accountId, item.id))!;
          expect(statement).toMatchObject({ platform: 'feed', url: item.link });
          expect(statement.versions).toHaveLength(1);
          const [version] = statement.versions;
          expect(version.text).toBe(item.text);
          expect(version.record).toMatchObject({ platform: 'feed', postId: item.id, text: item.text });
          await expectVerifiable(version, captured);
        }
      });

      it('stores an item published after tracking began within one poll interval + 5 s', async () => {
        serve([feedCase.added, ...items]);
        const added = served;
        const statement = await waitFor(
          'the new item',
          () => statementOf(accountId, feedCase.added.id),
          1000 + 5000,
        );
        expect(statement.versions).toHaveLength(1);
        expect(statement.versions[0].text).toBe(feedCase.added.text);
        await expectVerifiable(statement.versions[0], added);
      });

      it('records a changed item under the same id as version 2, with a statement.edited event', async () => {
        const original = feedCase.items[0];
        serve(items.map((item) => (item.id === original.id ? { ...item, ...feedCase.edited(item) } : item)));
        const changed = served;
        const statement = await waitFor('version 2', async () => {
          const found = await statementOf(accountId, original.id);
          return found && found.versions.length >= 2 ? found : undefined;
        });
        expect(statement.versions.map((v) => [v.number, v.text])).toEqual([
          [1, original.text],
          [2, feedCase.editedText],
        ]);
        await expectVerifiable(statement.versions[1], changed);
        const events: { type: string }[] = await app.db.query(
          `SELECT type FROM events WHERE statement_id = $1 ORDER BY id`,
          [statement.id],
        );
        expect(events.map((e) => e.type)).toEqual(['statement.created', 'statement.edited']);
        // the other items did not change, so they got no new version
        for (const item of feedCase.items.slice(1)) {
          expect((await statementOf(accountId, item.id))!.versions).toHaveLength(1);
        }
      });

      it('adds no rows over 100 quiet polls, answered 304 or with identical bytes', async () => {
        const poll = app.app.get(PollAccountUseCase);
        // due a day from now, so the scheduler never races these polls; execute() only needs the due time to match
        const pollNow = async () => {
          const [[row]]: [{ next_poll_at: Date }[]] = await app.db.query(
            `UPDATE accounts SET next_poll_at = now() + interval '1 day' WHERE id = $1 RETURNING next_poll_at`,
            [accountId],
          );
          return poll.execute({ accountId, dueAt: row.next_poll_at.toISOString() });
        };
        const lastRun = async () => {
          const [run]: { polls: number; outcome: string; http_status: number | null }[] = await app.db.query(
            `SELECT polls, outcome, http_status FROM capture_runs WHERE account_id = $1 ORDER BY id DESC LIMIT 1`,
            [accountId],
          );
          return run;
        };

        const other: ConditionalMode = feedCase.mode === 'conditional' ? 'ignore-conditional' : 'conditional';
        for (const mode of [feedCase.mode, other]) {
          server.setMode(mode);
          const status = mode === 'conditional' ? 304 : 200;
          // the first quiet poll in this mode opens the run that the later quiet polls extend
          expect(await pollNow()).toBe('unchanged');
          const opened = await lastRun();
          expect(opened).toMatchObject({ outcome: 'unchanged', http_status: status });
          const before = await countRows(app.db);
          const requestsBefore = server.requestCount(feedCase.path);
          for (let i = 0; i < 100; i++) expect(await pollNow()).toBe('unchanged');
          expect(server.requestCount(feedCase.path) - requestsBefore).toBe(100);
          // the validators of the last 200 went out with every request
          expect(server.lastRequestHeaders(feedCase.path)).toMatchObject({
            'if-none-match': `"${sha256(served.body).slice(0, 16)}"`,
          });
          expect(await countRows(app.db)).toEqual(before);
          expect(await lastRun()).toEqual({ ...opened, polls: opened.polls + 100 });
        }
      });
    });
  }

  describeFeed(RSS_CASE);
  describeFeed(ATOM_CASE);
});
