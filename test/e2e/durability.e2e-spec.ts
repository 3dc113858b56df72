import Redis from 'ioredis';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { startTestApp, waitFor, type TestApp } from './support/app';
import { startServe, stopAll } from './support/processes';

/** Above the 150 posts published before tracking starts, so the first poll reads all of them back. */
const BACKFILL_LIMIT = '1000';
/** Recovery after a crash may wait for BullMQ's stalled-job check (30 s lock + 30 s interval). */
const RECOVERY_MS = 120_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const randomBetween = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

/** Deletes every Redis key of this run's prefix: what a FLUSHALL does to Verbatim, without touching other runs. */
async function flushRedis(env: TestEnvironment): Promise<number> {
  const redis = new Redis(env.redisUrl);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${env.queuePrefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
  return deleted;
}

async function redisKeys(env: TestEnvironment, pattern: string): Promise<string[]> {
  const redis = new Redis(env.redisUrl);
  try {
    return await redis.keys(`${env.queuePrefix}:${pattern}`);
  } finally {
    await redis.quit();
  }
}

async function scalar(app: TestApp, sql: string, params: unknown[] = []): Promise<number> {
  const [{ n }]: { n: string }[] = await app.db.query(sql, params);
  return Number(n);
}

describe('killing the process mid-capture or flushing Redis loses and duplicates nothing', () => {
  let env: TestEnvironment;
  let mastodon: FakeMastodon;
  let api: TestApp;
  let workerEnv: Record<string, string>;

  beforeAll(async () => {
    env = await createTestEnvironment();
    mastodon = await startFakeMastodon();
    // the API only, in-process: it writes accounts and capture requests; the workers are child processes
    api = await startTestApp(env.config({ VERBATIM_BACKFILL_LIMIT: BACKFILL_LIMIT }), {
      roles: { api: true, worker: false },
    });
    workerEnv = env.env({ VERBATIM_BACKFILL_LIMIT: BACKFILL_LIMIT, PORT: '0' });
  });

  afterEach(() => stopAll());

  afterAll(async () => {
    await stopAll();
    await api?.close();
    await mastodon?.close();
    await env?.destroy();
  });

  it('polls through repeated kill -9 and flushed Redis and stores every post exactly once', async () => {
    const account = mastodon.addAccount({ username: 'mfa', displayName: 'Ministry of Foreign Affairs' });
    const statusesPath = `/api/v1/accounts/${account.id}/statuses`;
    const published: string[] = [];
    const publish = (n: number, label: string) => {
      for (let i = 0; i < n; i++)
        published.push(mastodon.publish('mfa', { content: `<p>${label}, statement ${i + 1}.</p>` }).id);
    };
    publish(150, 'Before tracking');

    const created = await api
      .write('post', '/api/v1/accounts')
      .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 1 })
      .expect(201);
    const accountId = (created.body as { id: string }).id;

    /** Status pages the fake server has been asked for (answered or hanging). */
    const pagesRequested = () => mastodon.requestLog.filter((r) => r.path.startsWith(statusesPath)).length;
    /** Status requests the fake server never answered (a 'hang' failure). */
    const hangingCount = () =>
      mastodon.requestLog.filter((r) => r.path.startsWith(statusesPath) && r.response === undefined).length;
    /** Waits up to `ms` for `until` (a round whose worker has nothing to do yet must still end). */
    const within = async (ms: number, until: () => boolean | Promise<boolean>) => {
      const deadline = Date.now() + ms;
      while (!(await until()) && Date.now() < deadline) await sleep(20);
    };
    const statementsNow = () =>
      scalar(api, `SELECT count(*) AS n FROM statements WHERE account_id = $1`, [accountId]);

    type Round = { publish?: number; kill: () => Promise<void>; flush?: boolean };
    const randomly = async () => {
      await sleep(randomBetween(50, 400));
    };
    const afterPages = (n: number) => async () => {
      const before = pagesRequested();
      await within(10_000, () => pagesRequested() >= before + n);
    };
    /** Let one page through, then the next status request hangs: the kill lands inside a poll. */
    const whileHanging = async () => {
      await afterPages(1)();
      const hangsBefore = hangingCount();
      mastodon.fail({ mode: 'hang', path: statusesPath, times: 1 });
      await within(10_000, () => hangingCount() > hangsBefore);
    };
    /**
     * Right after a poll committed, and a random moment later: between the commit and BullMQ marking the job
     * done, or inside the next poll. Waits out a job a previous kill left active (BullMQ's stalled check).
     */
    const afterCommit = async () => {
      const before = await statementsNow();
      await within(RECOVERY_MS, async () => (await statementsNow()) > before);
      await randomly();
    };
    const afterOnePageThenRandomly = async () => {
      await afterPages(1)();
      await randomly();
    };
    const rounds: Round[] = [
      { kill: randomly }, // while booting
      { kill: afterPages(2), flush: true }, // between two backfill pages
      { kill: whileHanging }, // no flush: the killed job stays active in Redis until it counts as stalled
      { publish: 3, kill: randomly },
      { publish: 45, kill: afterCommit, flush: true },
      { publish: 50, kill: whileHanging, flush: true },
      { publish: 60, kill: afterCommit },
      { publish: 5, kill: afterOnePageThenRandomly },
    ];

    const log: string[] = [];
    for (const [index, round] of rounds.entries()) {
      if (round.publish) publish(round.publish, `Round ${index + 1}`);
      const worker = startServe('worker', workerEnv, `worker round ${index + 1}`);
      const pagesBefore = pagesRequested();
      const hangsBefore = hangingCount();
      await round.kill();
      const hung = hangingCount() > hangsBefore;
      const exit = await worker.kill('SIGKILL');
      mastodon.clearFailures();
      const flushed = round.flush ? await flushRedis(env) : 0;
      log.push(
        `round ${index + 1}: ${pagesRequested() - pagesBefore} pages${hung ? ' (one hanging)' : ''}, exit ${exit.signal ?? exit.code}, ` +
          `${await scalar(api, `SELECT count(*) AS n FROM statements`)} statements, flushed ${flushed} keys`,
      );
    }

    // the rounds did what they are for: a kill inside a hanging request, and kills after some polls committed
    expect(log).toContainEqual(expect.stringContaining('(one hanging)'));
    expect(log).toContainEqual(expect.stringMatching(/ [1-9]\d* statements/));

    // the last worker is left to finish
    const last = startServe('worker', workerEnv, 'worker final');
    await waitFor(
      `all ${published.length} posts (${log.join('; ')})`,
      async () => ((await statementsNow()) >= published.length ? true : undefined),
      RECOVERY_MS,
    );

    // still tracked: a post published now arrives too
    publish(1, 'After the crashes');
    await waitFor(
      'the post published at the end',
      async () => ((await statementsNow()) >= published.length ? true : undefined),
      RECOVERY_MS,
    );
    expect(last.running()).toBe(true);
    await last.kill('SIGKILL');

    const ids: { external_id: string }[] = await api.db.query(
      `SELECT external_id FROM statements WHERE account_id = $1`,
      [accountId],
    );
    expect(ids).toHaveLength(published.length);
    expect(new Set(ids.map((r) => r.external_id))).toEqual(new Set(published));
    expect(await scalar(api, `SELECT count(*) AS n FROM statements`)).toBe(published.length);
    expect(await scalar(api, `SELECT count(*) AS n FROM versions`)).toBe(published.length);
    expect(await scalar(api, `SELECT count(*) AS n FROM statements WHERE latest_version <> 1`)).toBe(0);
    const events: { type: string; n: string }[] = await api.db.query(
      `SELECT type, count(*) AS n FROM events GROUP BY type`,
    );
    expect(events.map((e) => ({ type: e.type, n: Number(e.n) }))).toEqual([
      { type: 'statement.created', n: published.length },
    ]);
    expect(
      await scalar(
        api,
        `SELECT count(*) AS n FROM statements s
         WHERE (SELECT count(*) FROM events e WHERE e.statement_id = s.id AND e.type = 'statement.created') <> 1`,
      ),
    ).toBe(0);
    // nothing half-written: every artifact belongs to a version and every version has its response bytes
    expect(
      await scalar(
        api,
        `SELECT count(*) AS n FROM artifacts a
         WHERE NOT EXISTS (SELECT 1 FROM version_artifacts va WHERE va.sha256 = a.sha256)`,
      ),
    ).toBe(0);
    expect(
      await scalar(
        api,
        `SELECT count(*) AS n FROM versions v
         WHERE NOT EXISTS (SELECT 1 FROM version_artifacts va
                           WHERE va.statement_id = v.statement_id AND va.version_number = v.number AND va.role = 'response')`,
      ),
    ).toBe(0);
    const [{ cursor }]: { cursor: { sinceId?: string } }[] = await api.db.query(
      `SELECT cursor FROM accounts WHERE id = $1`,
      [accountId],
    );
    expect(cursor.sinceId).toBe(published[published.length - 1]);
  }, 600_000);

  it('completes a capture request whose job was lost when Redis was flushed right after it was queued', async () => {
    mastodon.addAccount({ username: 'embassy', displayName: 'Embassy' });
    const status = mastodon.publish('embassy', { content: '<p>Statement captured on request.</p>' });

    // no worker is running: the job sits in Redis, and the flush loses it
    const accepted = await api.write('post', '/api/v1/captures').send({ url: status.url }).expect(202);
    const jobId = (accepted.body as { jobId: string }).jobId;
    expect(await redisKeys(env, `capture:capture.${jobId}`)).toHaveLength(1);
    await flushRedis(env);
    expect(await redisKeys(env, '*')).toEqual([]);

    startServe('worker', workerEnv, 'worker after flush');
    const done = await waitFor(
      'the capture request to finish',
      async () => {
        const res = await api.http().get(`/api/v1/captures/${jobId}`).expect(200);
        const body = res.body as { state: string; statementIds: string[] };
        return body.state === 'queued' ? undefined : body;
      },
      RECOVERY_MS,
    );
    expect(done.state).toBe('completed');
    expect(done.statementIds).toHaveLength(1);
    const [statement]: { external_id: string }[] = await api.db.query(
      `SELECT external_id FROM statements WHERE id = $1`,
      [done.statementIds[0]],
    );
    expect(statement.external_id).toBe(status.id);
    expect(
      await scalar(api, `SELECT count(*) AS n FROM statements WHERE external_id = $1`, [status.id]),
    ).toBe(1);
  }, 200_000);
});
