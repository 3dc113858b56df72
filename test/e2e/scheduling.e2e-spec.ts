import { getQueueToken } from '@nestjs/bullmq';
import { type Queue } from 'bullmq';
import Redis from 'ioredis';
import { type DataSource } from 'typeorm';
import { createDataSource, DUE_SORT_ALL_BELOW, markPollsQueued, selectDueAccounts } from '@app/persistence';
import { QUEUE_EVENTS_KEPT, QueueName } from '@app/queues';
import { seededRandom } from '@app/testing/seeded-random';
import { useTestDatabase } from '@app/testing/test-database';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { POLLS_PER_JOB } from '@app/worker/scheduler/poll-jobs';
import { CAPTURE_REOFFER_AFTER_MS, POLL_REQUEUE_AFTER_MS } from '@app/worker/scheduler/scheduler.service';
import { startTestApp, tick, type TestApp } from './support/app';

/** `count` tracked Mastodon accounts on `host`, due from `firstDue` on, one millisecond apart. */
async function addAccounts(
  db: DataSource,
  host: string,
  count: number,
  firstDue: Date,
  platform = 'mastodon',
) {
  await db.query(
    `INSERT INTO accounts (platform, handle, external_id, profile_url, source_url, tracking, poll_interval_seconds, next_poll_at)
     SELECT $1, 'user' || i || '@' || $2, i::text, 'https://' || $2 || '/@user' || i, 'https://' || $2, true, 60,
            $3::timestamptz + i * interval '1 millisecond'
     FROM generate_series(0, $4 - 1) AS i`,
    [platform, host, firstDue, count],
  );
}

async function hostsOf(db: DataSource, ids: string[]): Promise<string[]> {
  const rows: { id: string; host: string }[] = await db.query(
    `SELECT id, split_part(source_url, '/', 3) AS host FROM accounts WHERE id = ANY($1)`,
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.id, r.host]));
  return ids.map((id) => byId.get(id)!);
}

/** Marks of a queue epoch no account carries: every due account is offered. */
const MARKS = { epoch: 'test-epoch', requeueAfterMs: POLL_REQUEUE_AFTER_MS };

describe('choosing due polls', () => {
  let env: TestEnvironment;
  let db: DataSource;
  const now = new Date();

  beforeAll(async () => {
    env = await createTestEnvironment();
    db = createDataSource(env.databaseUrl, { poolSize: 2 });
    await db.initialize();
    // a busy instance far behind, and two small ones due only now
    await addAccounts(db, 'busy.example', 500, new Date(now.getTime() - 600_000));
    await addAccounts(db, 'small.example', 3, new Date(now.getTime() - 1000));
    await addAccounts(db, 'feeds.example', 2, new Date(now.getTime() - 1000), 'feed');
  });

  afterAll(async () => {
    await db?.destroy();
    await env?.destroy();
  });

  it('takes hosts in turns: a busy instance far behind does not fill the batch', async () => {
    const due = await selectDueAccounts(db.manager, now, { limit: 9, marks: MARKS });
    const hosts = await hostsOf(
      db,
      due.map((d) => d.id),
    );
    expect(hosts.slice(0, 3).sort()).toEqual(['busy.example', 'feeds.example', 'small.example']);
    expect(hosts.filter((h) => h === 'small.example')).toHaveLength(3);
    expect(hosts.filter((h) => h === 'feeds.example')).toHaveLength(2);
    // within a host, oldest due first
    const busy = due.filter((_, i) => hosts[i] === 'busy.example').map((d) => d.dueAt.getTime());
    expect(busy).toEqual([...busy].sort((a, b) => a - b));
  });

  it('gives each host at most its budget, leaving the rest due', async () => {
    const due = await selectDueAccounts(db.manager, now, { limit: 1000, perHost: 2, marks: MARKS });
    const hosts = await hostsOf(
      db,
      due.map((d) => d.id),
    );
    expect(hosts.filter((h) => h === 'busy.example')).toHaveLength(2);
    expect(hosts.filter((h) => h === 'small.example')).toHaveLength(2);
    expect(due).toHaveLength(6);
  });

  it('counts a host’s polls already enqueued against its budget, and does not offer them again', async () => {
    const first = await selectDueAccounts(db.manager, now, { limit: 1000, perHost: 2, marks: MARKS });
    // every poll offered is enqueued
    await markPollsQueued(db.manager, first, MARKS.epoch);
    // every host's budget is taken by its enqueued polls: nothing more is offered
    expect(await selectDueAccounts(db.manager, now, { limit: 1000, perHost: 2, marks: MARKS })).toEqual([]);
    // with a budget of 3, each host gets its third oldest (small.example has 3, feeds.example only 2)
    const third = await selectDueAccounts(db.manager, now, { limit: 1000, perHost: 3, marks: MARKS });
    expect(
      (
        await hostsOf(
          db,
          third.map((d) => d.id),
        )
      ).sort(),
    ).toEqual(['busy.example', 'small.example']);
    expect(third.filter((d) => first.some((f) => f.id === d.id))).toEqual([]);
    // under another epoch (a flushed Redis) the marks are void
    const flushed = { ...MARKS, epoch: 'after-a-flush' };
    expect(await selectDueAccounts(db.manager, now, { limit: 1000, perHost: 2, marks: flushed })).toEqual(
      first,
    );
    await db.query(`DELETE FROM poll_marks`);
  });

  it('leaves the accounts of a platform whose canary failed', async () => {
    await db.query(
      `INSERT INTO platform_health (platform, canary_url, state, reason) VALUES ('feed', 'https://feeds.example/canary.xml', 'degraded', 'format changed')`,
    );
    const due = await selectDueAccounts(db.manager, now, { limit: 1000, marks: MARKS });
    expect(
      await hostsOf(
        db,
        due.map((d) => d.id),
      ),
    ).not.toContain('feeds.example');
    await db.query(`DELETE FROM platform_health`);
  });
});

interface AccountRow {
  id: string;
  host: string;
  platform: string;
  tracking: boolean;
  paused: boolean;
  next_poll_at: Date;
}
interface MarkRow {
  account_id: string;
  due: Date;
  epoch: string;
  queued_at: Date;
}

/** The ranking `selectDueAccounts` must give, computed from every account at once. */
function rankEveryDueAccount(
  accounts: AccountRow[],
  marks: MarkRow[],
  until: Date,
  degraded: Set<string>,
  selection: { limit: number; perHost?: number; epoch: string; markedSince: Date },
): string[] {
  const byTime = (a: AccountRow, b: AccountRow) =>
    a.next_poll_at.getTime() - b.next_poll_at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const markOf = new Map(marks.map((m) => [m.account_id, m]));
  const hosts = new Map<string, AccountRow[]>();
  for (const a of accounts) {
    if (!a.tracking || a.paused || a.next_poll_at > until || degraded.has(a.platform)) continue;
    hosts.set(a.host, [...(hosts.get(a.host) ?? []), a]);
  }
  const ranked: { turn: number; account: AccountRow }[] = [];
  for (const due of hosts.values()) {
    due.sort(byTime).forEach((account, i) => ranked.push({ turn: i + 1, account }));
  }
  return ranked
    .filter(({ turn }) => turn <= (selection.perHost ?? Infinity))
    .filter(({ account }) => {
      const mark = markOf.get(account.id);
      const holds =
        mark &&
        mark.epoch === selection.epoch &&
        mark.queued_at >= selection.markedSince &&
        mark.due.getTime() === account.next_poll_at.getTime();
      return !holds;
    })
    .sort((a, b) => a.turn - b.turn || byTime(a.account, b.account))
    .slice(0, selection.limit)
    .map(({ account }) => account.id);
}

describe('due polls read host by host, a bounded depth at a time, or in one sort', () => {
  const database = useTestDatabase();

  it('offer exactly what ranking every due account offers', async () => {
    const random = seededRandom(20261130);
    const now = new Date();
    // a busy host far behind, mid-sized and tiny ones, a host of a platform that may be degraded; due times
    // whole seconds apart so that many tie (the account id breaks ties)
    const sizes: [string, string, number][] = [
      ['busy.example', 'mastodon', 400],
      ['mid.example', 'mastodon', 60],
      ['tiny.example', 'mastodon', 3],
      ['feeds.example', 'feed', 80],
    ];
    for (const [host, platform, count] of sizes) {
      await database.db.query(
        `INSERT INTO accounts (platform, handle, external_id, profile_url, source_url, tracking, paused,
                               poll_interval_seconds, next_poll_at)
         SELECT $1, 'user' || i || '@' || $2, i::text, 'https://' || $2 || '/@user' || i, 'https://' || $2,
                t.tracking, t.paused, 60, t.due
         FROM unnest($3::int[], $4::boolean[], $5::boolean[], $6::timestamptz[]) AS t(i, tracking, paused, due)`,
        [
          platform,
          host,
          Array.from({ length: count }, (_, i) => i),
          Array.from({ length: count }, () => random() > 0.05),
          Array.from({ length: count }, () => random() < 0.05),
          Array.from(
            { length: count },
            () => new Date(now.getTime() - Math.floor(random() * 200 - 20) * 1000),
          ),
        ],
      );
    }
    await database.db.query(`ANALYZE accounts`);
    const accounts: AccountRow[] = await database.db.query(
      `SELECT id, split_part(source_url, '/', 3) AS host, platform, tracking, paused, next_poll_at FROM accounts`,
    );
    const oldestFirst = [...accounts].sort((a, b) => a.next_poll_at.getTime() - b.next_poll_at.getTime());

    for (let round = 0; round < 40; round++) {
      await database.db.query(`DELETE FROM poll_marks; DELETE FROM platform_health`);
      const degraded = new Set<string>();
      if (random() < 0.3) {
        await database.db.query(
          `INSERT INTO platform_health (platform, canary_url, state, reason)
           VALUES ('feed', 'https://feeds.example/canary.xml', 'degraded', 'format changed')`,
        );
        degraded.add('feed');
      }
      // marks: mostly on the oldest accounts (what Redis holds when behind), some stale, some of another
      // epoch, some for a due time already past
      const marked = oldestFirst.slice(0, Math.floor(random() * 450)).filter(() => random() < 0.9);
      const marks = marked.map((a) => {
        const roll = random();
        return {
          account_id: a.id,
          due: roll < 0.05 ? new Date(a.next_poll_at.getTime() - 60_000) : a.next_poll_at,
          epoch: roll > 0.95 ? 'an-earlier-epoch' : MARKS.epoch,
          queued_at: new Date(now.getTime() - (roll > 0.9 && roll <= 0.95 ? 120_000 : 1_000)),
        };
      });
      await database.db.query(
        `INSERT INTO poll_marks (account_id, due, queued_at, epoch)
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::text[])`,
        [
          marks.map((m) => m.account_id),
          marks.map((m) => m.due),
          marks.map((m) => m.queued_at),
          marks.map((m) => m.epoch),
        ],
      );
      const limit = 1 + Math.floor(random() * 300);
      const perHost = random() < 0.5 ? undefined : 1 + Math.floor(random() * 150);
      // the hint is only a starting depth: a wrong one must not change the answer
      const queued = Math.floor(random() * 40);
      const { now: dbNow }: { now: Date } = (await database.db.query(`SELECT now()`))[0];
      const expected = rankEveryDueAccount(accounts, marks, now, degraded, {
        limit,
        perHost,
        epoch: MARKS.epoch,
        markedSince: new Date(dbNow.getTime() - MARKS.requeueAfterMs),
      });
      // host by host (as when many are due), and in one sort of every due account (as when few are)
      for (const sortAllBelow of [0, DUE_SORT_ALL_BELOW]) {
        const selection = { limit, perHost, marks: MARKS, queued, sortAllBelow };
        const offered = await selectDueAccounts(database.db.manager, now, selection);
        expect({ round, sortAllBelow, ids: offered.map((d) => d.id) }).toEqual({
          round,
          sortAllBelow,
          ids: expected,
        });
        const dueAt = new Map(accounts.map((a) => [a.id, a.next_poll_at.getTime()]));
        expect(offered.every((d) => d.dueAt.getTime() === dueAt.get(d.id))).toBe(true);
      }
    }
  });
});

describe('the scheduler holds a bounded number of jobs in Redis, and offers a lost one again', () => {
  let env: TestEnvironment;
  let app: TestApp;
  /** the queue's limit, in jobs: each carries POLLS_PER_JOB of the accounts due long ago */
  const JOBS = 100;
  const POLLS = JOBS * POLLS_PER_JOB;
  /** the accounts whose polls the jobs of `states` carry, job after job */
  const accountsIn = async (queue: Queue, states: ('waiting' | 'paused' | 'delayed' | 'prioritized')[]) =>
    (await queue.getJobs(states)).flatMap((job) =>
      (job.data as { polls: { accountId: string }[] }).polls.map((p) => p.accountId),
    );

  beforeAll(async () => {
    env = await createTestEnvironment();
    app = await startTestApp(
      env.config({ VERBATIM_POLL_QUEUE_LIMIT: '100', VERBATIM_SCHEDULER_TICK_MS: '60000' }),
    );
  });

  afterAll(async () => {
    await app?.close();
    await env?.destroy();
  });

  it('enqueues up to the limit however many accounts are due, each job carrying several polls', async () => {
    const queue = app.app.get<Queue>(getQueueToken(QueueName.Poll));
    // the workers must not take jobs out while we count
    await queue.pause();
    await addAccounts(app.db, 'busy.example', 2 * POLLS, new Date(Date.now() - 60_000));
    await tick(app);
    await tick(app);
    const held = async () => {
      const counts = await queue.getJobCounts('waiting', 'paused', 'delayed', 'prioritized', 'active');
      return Object.values(counts).reduce((sum, n) => sum + n, 0);
    };
    expect(await held()).toBe(JOBS);
    const polls = await accountsIn(queue, ['waiting', 'paused', 'delayed', 'prioritized']);
    expect(polls).toHaveLength(POLLS);
    expect(new Set(polls).size).toBe(POLLS);
  });

  it('offers each due poll once: room in the queue goes to polls Redis does not hold yet', async () => {
    const queue = app.app.get<Queue>(getQueueToken(QueueName.Poll));
    const accountsHeld = () => accountsIn(queue, ['waiting', 'paused', 'delayed', 'prioritized']);
    const first = await accountsHeld();
    expect(first).toHaveLength(POLLS);
    // half the jobs leave the queue without their polls running (their accounts stay at the same due time)
    const gone = (await queue.getJobs(['paused', 'waiting'])).slice(0, JOBS / 2);
    for (const job of gone) await job.remove();
    await tick(app);
    const second = await accountsHeld();
    expect(second).toHaveLength(POLLS);
    // the room went to accounts never enqueued before, not to the oldest due ones again
    const goneIds = new Set(
      gone.flatMap((job) => (job.data as { polls: { accountId: string }[] }).polls.map((p) => p.accountId)),
    );
    const fresh = second.filter((id) => !first.includes(id));
    expect(fresh).toHaveLength(POLLS / 2);
    expect(second.filter((id) => goneIds.has(id))).toEqual([]);
  });

  it('offers the polls again at once when Redis was flushed (the queue epoch is new)', async () => {
    const queue = app.app.get<Queue>(getQueueToken(QueueName.Poll));
    const before = await accountsIn(queue, ['paused', 'waiting']);
    expect(before).toHaveLength(POLLS);
    await queue.obliterate({ force: true });
    await queue.pause();
    // a flush takes every key of the prefix: the epoch and the count of polls offered go with the jobs
    const redis = new Redis(env.redisUrl);
    const ownKeys = await redis.keys(`${env.queuePrefix}:verbatim:*`);
    expect(ownKeys.sort()).toEqual([
      `${env.queuePrefix}:verbatim:poll-epoch`,
      `${env.queuePrefix}:verbatim:polls-offered`,
    ]);
    await redis.del(ownKeys);
    await redis.quit();
    await tick(app);
    const oldest: { id: string }[] = await app.db.query(
      `SELECT id FROM accounts ORDER BY next_poll_at, id LIMIT $1`,
      [POLLS],
    );
    const after = await accountsIn(queue, ['paused', 'waiting', 'delayed']);
    expect(new Set(after)).toEqual(new Set(oldest.map((row) => row.id)));
    // the queue's settings kept in Redis came back with the new epoch, not BullMQ's defaults
    const check = new Redis(env.redisUrl);
    const kept = await check.hget(`${env.queuePrefix}:${QueueName.Poll}:meta`, 'opts.maxLenEvents');
    await check.quit();
    expect(Number(kept)).toBe(QUEUE_EVENTS_KEPT);
  });

  it('offers a poll again once its job may have been lost (one that failed for good)', async () => {
    const queue = app.app.get<Queue>(getQueueToken(QueueName.Poll));
    const accountsHeld = () => accountsIn(queue, ['paused', 'waiting', 'delayed']);
    /** Loses every job, as a job that failed for good is lost, without a new epoch. */
    const loseJobs = async () => {
      await queue.obliterate({ force: true });
      // obliterate takes the queue's paused flag with it: pause again before the workers see the refill
      await queue.pause();
    };
    await app.db.query(`DELETE FROM poll_marks`);
    await loseJobs();
    await tick(app);
    const first = await accountsHeld();
    expect(first).toHaveLength(POLLS);
    // within the requeue window their marks stand: the next tick takes other due accounts
    await loseJobs();
    await tick(app);
    const second = await accountsHeld();
    expect(second).toHaveLength(POLLS);
    expect(second.filter((id) => first.includes(id))).toEqual([]);
    // once the window has passed (marks aged here, as time would), the lost polls come again, oldest first
    await loseJobs();
    await app.db.query(`UPDATE poll_marks SET queued_at = queued_at - $1 * interval '1 millisecond'`, [
      POLL_REQUEUE_AFTER_MS + 1000,
    ]);
    await tick(app);
    const oldest: { id: string }[] = await app.db.query(
      `SELECT id FROM accounts ORDER BY next_poll_at, id LIMIT $1`,
      [POLLS],
    );
    expect(new Set(await accountsHeld())).toEqual(new Set(oldest.map((row) => row.id)));
  });

  it('offers a capture request waiting its turn once, then again only after a minute or a flush', async () => {
    const queue = app.app.get<Queue>(getQueueToken(QueueName.Capture));
    await queue.pause();
    // made a minute ago and still queued: its job may be lost
    const [{ id }]: { id: string }[] = await app.db.query(
      `INSERT INTO capture_requests (url, created_at) VALUES ('https://mfa.example/news/1', now() - interval '1 minute')
       RETURNING id`,
    );
    const held = async () => (await queue.getJobs(['paused', 'waiting'])).map((job) => job.data.requestId);
    /** Loses the capture jobs as one that failed for good is lost (removed), without a new epoch. */
    const loseJobs = async () => {
      await queue.obliterate({ force: true });
      await queue.pause();
    };
    await tick(app);
    expect(await held()).toEqual([id]);
    // offered a moment ago under this epoch: the next tick does not offer it again, even with its job gone
    await loseJobs();
    await tick(app);
    expect(await held()).toEqual([]);
    // a minute later (aged here, as time would) it is offered again
    await app.db.query(
      `UPDATE capture_requests SET offered_at = offered_at - $2 * interval '1 millisecond' WHERE id = $1`,
      [id, CAPTURE_REOFFER_AFTER_MS + 1000],
    );
    await tick(app);
    expect(await held()).toEqual([id]);
    // a flush (a new epoch) offers it at once
    await loseJobs();
    const redis = new Redis(env.redisUrl);
    await redis.del(`${env.queuePrefix}:verbatim:poll-epoch`);
    await redis.quit();
    await tick(app);
    expect(await held()).toEqual([id]);
    await app.db.query(`DELETE FROM capture_requests WHERE id = $1`, [id]);
    await loseJobs();
  });
});

describe('the scheduler makes jobs of several polls, one scheduler offering at a time', () => {
  let env: TestEnvironment;
  let app: TestApp;
  let queue: Queue;
  const JOBS = 100;

  beforeAll(async () => {
    env = await createTestEnvironment();
    app = await startTestApp(
      env.config({ VERBATIM_POLL_QUEUE_LIMIT: String(JOBS), VERBATIM_SCHEDULER_TICK_MS: '60000' }),
    );
    queue = app.app.get<Queue>(getQueueToken(QueueName.Poll));
    await queue.pause();
    // the tick the scheduler runs as it starts, over before any account is added
    await tick(app);
  });

  afterAll(async () => {
    await app?.close();
    await env?.destroy();
  });

  const jobsHeld = () => queue.getJobs(['waiting', 'paused', 'delayed', 'prioritized']);

  it('leaves its offer to the next tick while another scheduler offers, and offers once the lock is free', async () => {
    await addAccounts(app.db, 'locked.example', 3, new Date(Date.now() - 60_000));
    const redis = new Redis(env.redisUrl);
    const lock = `${env.queuePrefix}:verbatim:poll-offer-lock`;
    await redis.set(lock, 'another-scheduler', 'PX', 60_000);
    await tick(app);
    expect(await jobsHeld()).toEqual([]);
    expect(await redis.get(lock)).toBe('another-scheduler');
    await redis.del(lock);
    await tick(app);
    const polls = (await jobsHeld()).flatMap((job) => (job.data as { polls: unknown[] }).polls);
    expect(polls).toHaveLength(3);
    // released after the offer
    expect(await redis.exists(lock)).toBe(0);
    await redis.quit();
    await queue.obliterate({ force: true });
    await queue.pause();
    await app.db.query(`DELETE FROM accounts`);
    await app.db.query(`DELETE FROM poll_marks`);
  });

  it('marks only the polls it enqueued: polls still to come that find no room stay unmarked, for the next tick', async () => {
    const now = Date.now();
    // all but one job's worth of room taken by polls due long ago, then polls due a second apart in the next tick
    await addAccounts(app.db, 'overdue.example', (JOBS - 1) * POLLS_PER_JOB, new Date(now - 60_000));
    const coming: { id: string; next_poll_at: Date }[] = await app.db.query(
      `INSERT INTO accounts (platform, handle, external_id, profile_url, source_url, tracking, poll_interval_seconds, next_poll_at)
       SELECT 'mastodon', 'soon' || i || '@coming.example', 'soon' || i, 'https://coming.example/@soon' || i,
              'https://coming.example', true, 60, $1::timestamptz + i * interval '1 second'
       FROM generate_series(1, 5) AS i
       RETURNING id, next_poll_at`,
      [new Date(now + 20_000)],
    );
    await tick(app);
    const jobs = await jobsHeld();
    expect(jobs).toHaveLength(JOBS);
    // the one job left for polls still to come carries the first of them, delayed to its due time
    const future = jobs.filter((job) => (job.opts.delay ?? 0) > 0);
    expect(
      future.map((job) => (job.data as { polls: { accountId: string }[] }).polls.map((p) => p.accountId)),
    ).toEqual([[coming[0].id]]);
    expect(future[0].opts.delay).toBeGreaterThan(15_000);
    expect(future[0].opts.delay).toBeLessThanOrEqual(coming[0].next_poll_at.getTime() - now);
    const marked: { account_id: string }[] = await app.db.query(
      `SELECT account_id FROM poll_marks WHERE account_id = ANY($1)`,
      [coming.map((c) => c.id)],
    );
    expect(marked.map((m) => m.account_id)).toEqual([coming[0].id]);
    const [{ count }]: { count: number }[] = await app.db.query(
      `SELECT count(*)::int AS count FROM poll_marks`,
    );
    expect(count).toBe((JOBS - 1) * POLLS_PER_JOB + 1);
  });
});
