import { type DataSource } from 'typeorm';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { startTestApp, waitFor, type TestApp } from './support/app';

interface AccountBody {
  id: string;
  lastPollStatus: string;
  lastErrorCode: string | null;
  lastError: string | null;
}

/** Everything the archive holds about one post, without ids and times that differ between runs by nature. */
async function rowsOf(db: DataSource, postId: string) {
  const [statement]: Record<string, unknown>[] = await db.query(
    `SELECT platform, external_id, url, authored_at, status, latest_version, latest_text
     FROM statements WHERE external_id = $1`,
    [postId],
  );
  const versions: {
    number: number;
    record: Record<string, unknown>;
    content_sha256: string;
    evidence_level: string;
  }[] = await db.query(
    `SELECT v.number, v.record, v.content_sha256, v.evidence_level FROM versions v
       JOIN statements s ON s.id = v.statement_id WHERE s.external_id = $1 ORDER BY v.number`,
    [postId],
  );
  const roles: { role: string; media_type: string }[] = await db.query(
    `SELECT va.role, a.media_type FROM version_artifacts va JOIN artifacts a ON a.sha256 = va.sha256
     JOIN statements s ON s.id = va.statement_id WHERE s.external_id = $1 ORDER BY va.role`,
    [postId],
  );
  const events: { type: string; version_number: number }[] = await db.query(
    `SELECT e.type, e.version_number FROM events e JOIN statements s ON s.id = e.statement_id
     WHERE s.external_id = $1 ORDER BY e.id`,
    [postId],
  );
  const logged: { entry: Buffer }[] = await db.query(
    `SELECT entry FROM log_pending p JOIN statements s ON s.id = p.statement_id WHERE s.external_id = $1
     UNION ALL
     SELECT e.entry FROM log_entries e JOIN statements s ON s.id = e.statement_id WHERE s.external_id = $1`,
    [postId],
  );
  return {
    statement,
    // the record names the raw bytes it was read from, which differ by endpoint (a timeline page, one status)
    versions: versions.map(({ record: { artifacts, ...content }, ...version }) => ({
      ...version,
      content,
      artifactRoles: (artifacts as { role: string }[]).map((a) => a.role),
    })),
    roles,
    events,
    log: logged.map(({ entry }) => {
      const { type, version, artifacts, origin } = JSON.parse(entry.toString('utf8')) as Record<
        string,
        unknown
      >;
      return { type, version, origin, roles: (artifacts as { role: string }[]).map((a) => a.role).sort() };
    }),
  };
}

describe('one capture writer for polls and on-demand captures', () => {
  let mastodon: FakeMastodon;
  let pollEnv: TestEnvironment;
  let captureEnv: TestEnvironment;
  let polling: TestApp;
  let capturing: TestApp;

  beforeAll(async () => {
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'mfa', displayName: 'Ministry of Foreign Affairs' });
    [pollEnv, captureEnv] = await Promise.all([createTestEnvironment(), createTestEnvironment()]);
    const settings = { VERBATIM_LOG_ORIGIN: 'paths.test/log' };
    polling = await startTestApp(pollEnv.config(settings));
    capturing = await startTestApp(captureEnv.config(settings));
  });

  afterAll(async () => {
    await polling?.close();
    await capturing?.close();
    await mastodon?.close();
    await pollEnv?.destroy();
    await captureEnv?.destroy();
  });

  async function track(app: TestApp, username: string): Promise<string> {
    const res = await app
      .write('post', '/api/v1/accounts')
      .send({ url: `${mastodon.origin}/@${username}`, pollIntervalSeconds: 1 })
      .expect(201);
    return (res.body as { id: string }).id;
  }

  async function account(app: TestApp, id: string): Promise<AccountBody> {
    return (await app.http().get(`/api/v1/accounts/${id}`).expect(200)).body as AccountBody;
  }

  async function stored(app: TestApp, postId: string): Promise<true | undefined> {
    const rows: unknown[] = await app.db.query(
      `SELECT 1 FROM versions v JOIN statements s ON s.id = v.statement_id
      WHERE s.external_id = $1`,
      [postId],
    );
    return rows.length > 0 ? true : undefined;
  }

  it('writes the same rows for a post whether a poll or a capture request found it', async () => {
    const post = mastodon.publish('mfa', {
      content: '<p>Foreigners willing to defend Ukraine: apply at the embassies.</p>',
      language: 'en',
      media: [{ type: 'image', description: 'the ministry seal' }],
    });
    await track(polling, 'mfa');
    await waitFor('the polled post', () => stored(polling, post.id));

    const request = await capturing.write('post', '/api/v1/captures').send({ url: post.url }).expect(202);
    await waitFor('the captured post', async () => {
      const res = await capturing.http().get(`/api/v1/captures/${(request.body as { jobId: string }).jobId}`);
      return (res.body as { state: string }).state === 'completed' ? true : undefined;
    });

    const polled = await rowsOf(polling.db, post.id);
    const captured = await rowsOf(capturing.db, post.id);
    expect(captured).toEqual(polled);
    expect(polled.versions).toHaveLength(1);
    expect(polled.versions[0]).toMatchObject({ number: 1, evidence_level: 'captured' });
    expect(polled.versions[0].artifactRoles.sort()).toEqual(['response', 'response-head']);
    expect(polled.events).toEqual([{ type: 'statement.created', version_number: 1 }]);
    expect(polled.log).toEqual([
      { type: 'snapshot', version: 1, origin: 'paths.test/log', roles: ['response', 'response-head'] },
    ]);
  });

  it('keeps each response head exactly as the server wrote it, beside the body it came with', async () => {
    mastodon.addAccount({ username: 'heads', displayName: 'Heads' });
    const post = mastodon.publish('heads', { content: '<p>Head and body.</p>' });
    await track(polling, 'heads');
    await waitFor('the post', () => stored(polling, post.id));

    const [{ id }]: { id: string }[] = await polling.db.query(
      `SELECT id FROM statements WHERE external_id = $1`,
      [post.id],
    );
    const statement = (await polling.http().get(`/api/v1/statements/${id}`).expect(200)).body as {
      versions: { artifacts: { role: string; mediaType: string; url: string }[] }[];
    };
    const artifacts = statement.versions[0].artifacts;
    const download = async (role: string) => {
      const artifact = artifacts.find((a) => a.role === role)!;
      const res = await polling
        .http()
        .get(artifact.url)
        .buffer(true)
        .parse((r, done) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => done(null, Buffer.concat(chunks)));
        });
      return { mediaType: artifact.mediaType, bytes: res.body as Buffer };
    };
    const body = await download('response');
    const head = await download('response-head');
    const served = mastodon.requestLog.find((r) => r.response?.body.equals(body.bytes))?.response;
    expect(served).toBeDefined();
    expect(served!.head!.length).toBeGreaterThan(0);
    expect(head.mediaType).toBe('message/http');
    expect(head.bytes.toString('latin1')).toBe(served!.head!.toString('latin1'));
  });

  it('records a malformed stored cursor as a failure on the account, then starts the account over', async () => {
    mastodon.addAccount({ username: 'cursed', displayName: 'Cursed' });
    const first = mastodon.publish('cursed', { content: '<p>First.</p>' });
    const id = await track(polling, 'cursed');
    await waitFor('the first post', () => stored(polling, first.id));

    await polling.db.query(`UPDATE accounts SET cursor = '{"sinceId":"not-a-number"}' WHERE id = $1`, [id]);
    const failed = await waitFor('the recorded failure', async () => {
      const body = await account(polling, id);
      return body.lastPollStatus === 'failed' ? body : undefined;
    });
    expect(failed.lastErrorCode).toBe('source-invalid-cursor');
    expect(failed.lastError).toContain('sinceId');

    const second = mastodon.publish('cursed', { content: '<p>Second.</p>' });
    await waitFor('the next post, after the reset', () => stored(polling, second.id), 10_000);
    const [{ cursor }]: { cursor: { sinceId: string } }[] = await polling.db.query(
      `SELECT cursor FROM accounts WHERE id = $1`,
      [id],
    );
    expect(cursor.sinceId).toBe(second.id);
  });

  it('skips only the post the database cannot hold and keeps the rest of the page', async () => {
    mastodon.addAccount({ username: 'verbose', displayName: 'Verbose' });
    const before = mastodon.publish('verbose', { content: '<p>Short and fine.</p>' });
    // over a million distinct words: its full-text vector exceeds what PostgreSQL can hold (error class 54)
    const words = Array.from({ length: 160_000 }, (_, i) => `w${i.toString(36)}x${(i * 7919).toString(36)}`);
    const huge = mastodon.publish('verbose', { content: `<p>${words.join(' ')}</p>` });
    const after = mastodon.publish('verbose', { content: '<p>Also fine.</p>' });
    const id = await track(polling, 'verbose');

    await waitFor('the good posts', async () =>
      (await stored(polling, before.id)) && (await stored(polling, after.id)) ? true : undefined,
    );
    expect(await stored(polling, huge.id)).toBeUndefined();
    // the poll succeeded (a later quiet poll may already have made it 'unchanged'); the skip is on the run
    const body = await account(polling, id);
    expect(['ok', 'unchanged']).toContain(body.lastPollStatus);
    expect(body.lastErrorCode).toBeNull();
    const [run]: { error: string; error_code: string; posts_seen: number; versions_new: number }[] =
      await polling.db.query(
        `SELECT error, error_code, posts_seen, versions_new FROM capture_runs WHERE account_id = $1 ORDER BY id LIMIT 1`,
        [id],
      );
    expect(run).toMatchObject({ error_code: 'source-invalid-response', posts_seen: 3, versions_new: 2 });
    expect(run.error).toContain(`1 post(s) could not be stored and were skipped: ${huge.id}: `);
    expect(run.error).toMatch(/tsvector/);
  });

  it.each(['https://x.com/DmytroKuleba', 'https://twitter.com/someone'])(
    'answers 400 saying an X API token is needed when asked to track %s without one',
    async (url) => {
      const res = await polling.write('post', '/api/v1/accounts').send({ url }).expect(400);
      expect((res.body as { message: string }).message).toContain('VERBATIM_X_BEARER_TOKEN');
    },
  );

  it.each(['https://www.youtube.com/channel/UCsomeone', 'https://instagram.com/someone'])(
    'answers 400 naming the supported platforms when asked to track %s',
    async (url) => {
      const res = await polling.write('post', '/api/v1/accounts').send({ url }).expect(400);
      const { message } = res.body as { message: string };
      expect(message).toMatch(/is not supported by this installation/);
      expect(message).toContain('Mastodon profile URL');
      expect(message).toContain('RSS or Atom feed URL');
    },
  );
});
