import { Queue } from 'bullmq';
import { type DataSource } from 'typeorm';
import { CaptureWriter, type PollWork } from '@app/capture';
import { MetricsService } from '@app/observability';
import { createDataSource } from '@app/persistence';
import { QueueName, redisOptionsFromUrl } from '@app/queues';
import { createTestEnvironment, type TestEnvironment } from './test-environment';

export interface CaptureWriterFixture {
  /** read them in hooks and tests, after this file's first beforeAll */
  readonly db: DataSource;
  readonly metrics: MetricsService;
  readonly writer: CaptureWriter;
  /** A tracked Mastodon account due at the fixture's due time, and the work of a poll job made for it. */
  trackedAccount(): Promise<PollWork>;
  /** `count` of them */
  trackedAccounts(count: number): Promise<PollWork[]>;
  /** Another worker handled the poll's due time: the account is due 300 s later, which this returns. */
  loseClaim(work: PollWork): Promise<Date>;
}

/**
 * The capture writer on a throwaway database and Redis prefix, for the tests of one `describe` that write polls
 * through it: created before them, removed after.
 */
export function useCaptureWriter(due: Date): CaptureWriterFixture {
  let env: TestEnvironment | undefined;
  let db: DataSource | undefined;
  let queues: Queue[] = [];
  let writer: CaptureWriter | undefined;
  const metrics = new MetricsService();
  beforeAll(async () => {
    env = await createTestEnvironment();
    db = createDataSource(env.databaseUrl, { poolSize: 4 });
    await db.initialize();
    const connection = redisOptionsFromUrl(env.redisUrl);
    const prefix = env.queuePrefix;
    queues = [QueueName.Log, QueueName.Outbox, QueueName.Media].map(
      (name) => new Queue(name, { connection, prefix }),
    );
    writer = new CaptureWriter(db, env.config(), metrics, queues[0], queues[1], queues[2]);
  });
  afterAll(async () => {
    for (const queue of queues) await queue.close();
    await db?.destroy();
    await env?.destroy();
  });
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useCaptureWriter: read before its beforeAll ran');
    return value;
  };
  let serial = 0;
  const fixture: CaptureWriterFixture = {
    get db() {
      return opened(db);
    },
    get writer() {
      return opened(writer);
    },
    metrics,
    async trackedAccount() {
      const name = `mfa${++serial}`;
      const [{ id }]: { id: string }[] = await opened(db).query(
        `INSERT INTO accounts (platform, handle, external_id, profile_url, source_url, tracking,
                               poll_interval_seconds, next_poll_at)
         VALUES ('mastodon', $1, $1, 'https://diplo.example/@' || $1, 'https://diplo.example', true, 300, $2)
         RETURNING id`,
        [name, due],
      );
      const account = {
        id,
        platform: 'mastodon',
        handle: name,
        pollIntervalSeconds: 300,
        consecutiveFailures: 0,
        deferredSince: null,
      };
      return { account, due, startedAt: new Date() };
    },
    async trackedAccounts(count) {
      const works: PollWork[] = [];
      for (let i = 0; i < count; i++) works.push(await fixture.trackedAccount());
      return works;
    },
    async loseClaim(work) {
      const movedTo = new Date(work.due.getTime() + 300_000);
      await opened(db).query(`UPDATE accounts SET next_poll_at = $2 WHERE id = $1`, [
        work.account.id,
        movedTo,
      ]);
      return movedTo;
    },
  };
  return fixture;
}
