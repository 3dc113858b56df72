import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { getQueueToken } from '@nestjs/bullmq';
import { type Queue } from 'bullmq';
import { QueueName } from '@app/queues';
import { PollAccountUseCase } from '@app/worker/poll/poll-account.use-case';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { countRows, startTestApp, waitFor, type TestApp } from './support/app';

interface Version {
  number: number;
  text: string;
  html: string;
  record: { postId: string; text: string; artifacts: { role: string; sha256: string }[] };
  recordSha256: string;
  artifacts: { role: string; mediaType: string; size: number; sha256: string }[];
}
interface Statement {
  id: string;
  url: string;
  authoredAt: string;
  account: { handle: string };
  versions: Version[];
}

const POSTS = [
  {
    content:
      '<p>Foreign ministers met in Brussels today.<br />Joint statement follows.</p><p>Read it &amp; share.</p>',
    text: 'Foreign ministers met in Brussels today.\nJoint statement follows.\n\nRead it & share.',
  },
  {
    content:
      '<p>Statement on <a href="https://example.org/tags/sanctions" class="mention hashtag" rel="tag">#<span>sanctions</span></a>: &quot;no exceptions&quot;</p>',
    text: 'Statement on #sanctions: "no exceptions"',
  },
  { content: '<p>Третій пакет санкцій — ухвалено.</p>', text: 'Третій пакет санкцій — ухвалено.' },
];

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('tracking a Mastodon account', () => {
  let env: TestEnvironment;
  let mastodon: FakeMastodon;
  let app: TestApp;
  let accountId: string;

  beforeAll(async () => {
    env = await createTestEnvironment();
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'mfa', displayName: 'Ministry of Foreign Affairs' });
    for (const post of POSTS) mastodon.publish('mfa', { content: post.content, language: 'en' });
    app = await startTestApp(env.config());
  });

  afterAll(async () => {
    await app?.close();
    await mastodon?.close();
    await env?.destroy();
  });

  async function statementByPostId(postId: string): Promise<Statement | undefined> {
    const [row]: { id: string }[] = await app.db.query(`SELECT id FROM statements WHERE external_id = $1`, [
      postId,
    ]);
    if (!row) return undefined;
    return (await app.http().get(`/api/v1/statements/${row.id}`).expect(200)).body as Statement;
  }

  it('resolves the profile URL and starts tracking', async () => {
    const res = await app
      .write('post', '/api/v1/accounts')
      .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 1 })
      .expect(201);
    expect(res.body).toMatchObject({
      platform: 'mastodon',
      handle: `mfa@${mastodon.host}`,
      displayName: 'Ministry of Foreign Affairs',
      pollIntervalSeconds: 1,
      tracking: true,
    });
    accountId = res.body.id;
    await app
      .write('post', '/api/v1/accounts')
      .send({ url: `${mastodon.origin}/@mfa` })
      .expect(409);
  });

  it('captures every public post with its plain text, a verifiable record hash and the exact response bytes', async () => {
    await waitFor('three statements', async () => {
      const [{ n }]: { n: string }[] = await app.db.query(
        `SELECT count(*) AS n FROM statements WHERE account_id = $1`,
        [accountId],
      );
      return Number(n) === POSTS.length ? true : undefined;
    });
    const statusResponses = mastodon.requestLog.filter(
      (r) => r.path.startsWith('/api/v1/accounts/') && r.response?.status === 200,
    );
    const sentBodies = new Map(statusResponses.map((r) => [sha256(r.response!.body), r.response!.body]));

    const list = (await app.http().get(`/api/v1/statements?accountId=${accountId}`).expect(200)).body as {
      items: { id: string; text: string }[];
    };
    expect(list.items).toHaveLength(POSTS.length);
    for (const item of list.items) {
      const statement = (await app.http().get(`/api/v1/statements/${item.id}`).expect(200)).body as Statement;
      expect(statement.versions).toHaveLength(1);
      const [version] = statement.versions;
      const expected = POSTS.find((p) => p.content === version.html)!;
      expect(expected).toBeDefined();
      expect(version.text).toBe(expected.text);
      expect(item.text).toBe(expected.text);
      // the hash anyone can recompute: SHA-256 of the RFC 8785 bytes of the record
      expect(sha256(Buffer.from(canonicalize(version.record)!, 'utf8'))).toBe(version.recordSha256);
      const response = version.artifacts.find((a) => a.role === 'response')!;
      expect(version.record.artifacts).toContainEqual({ role: 'response', sha256: response.sha256 });
      const served = await app
        .http()
        .get(`/api/v1/artifacts/${response.sha256}`)
        .responseType('blob')
        .expect(200);
      expect(served.headers['content-type']).toMatch(/^application\/json/);
      const bytes = served.body as Buffer;
      expect(sha256(bytes)).toBe(response.sha256);
      expect(sentBodies.get(response.sha256)?.equals(bytes)).toBe(true);
      expect(bytes.toString('utf8')).toContain(`"id":"${version.record.postId}"`);
    }
  });

  it('stores a post published after tracking started within one poll interval + 5 s', async () => {
    const status = mastodon.publish('mfa', { content: '<p>New statement after tracking began.</p>' });
    const statement = await waitFor('the new post', () => statementByPostId(status.id), 1000 + 5000);
    expect(statement.versions[0].text).toBe('New statement after tracking began.');
    expect(statement.url).toBe(status.url);
  });

  it('records a new version when a post is edited, and only then', async () => {
    const status = mastodon.publish('mfa', { content: '<p>Original wording.</p>' });
    await waitFor('the post', () => statementByPostId(status.id));
    const edit = await app.write('post', '/api/v1/captures').send({ url: status.url }).expect(202);
    const done = await waitFor('the capture', async () => {
      const res = await app.http().get(`/api/v1/captures/${edit.body.jobId}`).expect(200);
      return res.body.state === 'queued' ? undefined : res.body;
    });
    expect(done.state).toBe('completed');
    expect((await statementByPostId(status.id))!.versions).toHaveLength(1);

    mastodon.edit(status.id, '<p>Corrected wording.</p>');
    const again = await app.write('post', '/api/v1/captures').send({ url: status.url }).expect(202);
    await waitFor('the second capture', async () => {
      const res = await app.http().get(`/api/v1/captures/${again.body.jobId}`).expect(200);
      return res.body.state === 'completed' ? true : undefined;
    });
    const statement = (await statementByPostId(status.id))!;
    expect(statement.versions.map((v) => v.text)).toEqual(['Original wording.', 'Corrected wording.']);
    const events: { type: string }[] = await app.db.query(
      `SELECT type FROM events WHERE statement_id = $1 ORDER BY id`,
      [statement.id],
    );
    expect(events.map((e) => e.type)).toEqual(['statement.created', 'statement.edited']);
  });

  it('adds no rows over 100 further polls when nothing changed', async () => {
    await app.write('patch', `/api/v1/accounts/${accountId}`).send({ pollIntervalSeconds: 3600 }).expect(200);
    const poll = app.app.get(PollAccountUseCase);
    const pollNow = async () => {
      const [[row]]: [{ next_poll_at: Date }[]] = await app.db.query(
        `UPDATE accounts SET next_poll_at = now() WHERE id = $1 RETURNING next_poll_at`,
        [accountId],
      );
      return poll.execute({ accountId, dueAt: row.next_poll_at.toISOString() });
    };
    // the scheduler's own poll jobs wait while the queue is paused (one would add a quiet poll to the run being
    // counted), and those already running finish first; the first quiet poll below opens the capture run that
    // later quiet polls extend
    const queue = app.app.get<Queue>(getQueueToken(QueueName.Poll));
    await queue.pause();
    await waitFor('no poll job in flight', async () => {
      const counts = await queue.getJobCounts('active');
      return counts.active === 0 ? true : undefined;
    });
    await pollNow();
    const before = await countRows(app.db);
    const [quietRun]: { polls: number }[] = await app.db.query(
      `SELECT polls FROM capture_runs WHERE account_id = $1 ORDER BY id DESC LIMIT 1`,
      [accountId],
    );
    const requestsBefore = mastodon.requestLog.length;
    let unchanged = 0;
    for (let i = 0; i < 200 && unchanged < 100; i++) {
      const outcome = await pollNow();
      expect(['unchanged', 'stale']).toContain(outcome);
      if (outcome === 'unchanged') unchanged++;
    }
    expect(unchanged).toBe(100);
    expect(mastodon.requestLog.length - requestsBefore).toBeGreaterThanOrEqual(100);
    expect(await countRows(app.db)).toEqual(before);
    const [run]: { polls: number; outcome: string }[] = await app.db.query(
      `SELECT polls, outcome FROM capture_runs WHERE account_id = $1 ORDER BY id DESC LIMIT 1`,
      [accountId],
    );
    expect(run).toEqual({ polls: quietRun.polls + 100, outcome: 'unchanged' });
    await queue.resume();
  });

  it('keeps accounts and posts of different instances apart even when their ids are equal', async () => {
    const other = await startFakeMastodon();
    try {
      other.addAccount({ username: 'mfa', displayName: 'Another ministry' });
      const status = other.publish('mfa', { content: '<p>Same ids, another server.</p>' });
      expect(other.accountJson('mfa').id).toBe(mastodon.accountJson('mfa').id);
      const res = await app
        .write('post', '/api/v1/accounts')
        .send({ url: `${other.origin}/@mfa`, pollIntervalSeconds: 1 })
        .expect(201);
      expect(res.body.id).not.toBe(accountId);
      const [row] = await waitFor("the other instance's post", async () => {
        const rows: { account_id: string }[] = await app.db.query(
          `SELECT account_id FROM statements WHERE url = $1`,
          [status.url],
        );
        return rows.length > 0 ? rows : undefined;
      });
      expect(row.account_id).toBe(res.body.id);
    } finally {
      await other.close();
    }
  });

  it('stores a post carrying a NUL character, with U+FFFD in the record and the exact bytes in the artifact', async () => {
    const status = mastodon.publish('mfa', { content: '<p>Before\u0000after.</p>' });
    await app.db.query(`UPDATE accounts SET next_poll_at = now() WHERE id = $1`, [accountId]);
    const statement = await waitFor('the post', () => statementByPostId(status.id), 6000);
    expect(statement.versions[0].text).toBe('Before\uFFFDafter.');
    const sha = statement.versions[0].artifacts.find((a) => a.role === 'response')!.sha256;
    const raw = (await app.http().get(`/api/v1/artifacts/${sha}`).responseType('blob').expect(200))
      .body as Buffer;
    expect(raw.toString('utf8')).toContain('Before\\u0000after.');
  });
});
