import { Queue, Worker } from 'bullmq';
import { type DataSource } from 'typeorm';
import { CaptureWriter, preparePosts, QuotationRecorder } from '@app/capture';
import { localOverload } from '@app/core';
import { MetricsService } from '@app/observability';
import { createDataSource, writeCaptures } from '@app/persistence';
import { bullOptions, JobName, jobIds, QueueName, type JobOf } from '@app/queues';
import { ConnectorRegistry, type Connector, type PostAnswer, type PostRef } from '@app/sources';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { RecheckStatementsProcessor } from './recheck-statements.processor';
import { RECHECK_DEFERRAL_LIMIT_MS, RecheckStatementsUseCase } from './recheck-statements.use-case';

/** A re-check our own load refused, through a real queue and database: put off whole, not answered "unknown". */
describe('RecheckStatementsProcessor: a re-check our own load refused (real database and queue)', () => {
  let env: TestEnvironment;
  let db: DataSource;
  const queues: Queue[] = [];
  /** what the source side does when asked: refuse for our load, or answer that the post is still there */
  let behaviour: 'overloaded' | 'answers' = 'overloaded';
  let asked = 0;

  // stands in for the platform's side only: the database, the queue and the writer are real
  const connector: Connector = {
    platform: 'mastodon',
    describes: 'a source whose answers the test chooses',
    canTrack: () => false,
    canCapture: () => false,
    resolve: () => Promise.reject(new Error('not used')),
    readCursor: (stored) => stored,
    capture: () => Promise.reject(new Error('not used')),
    poll: () => Promise.reject(new Error('not used')),
    fetchMany: (_account, refs: PostRef[]): Promise<PostAnswer[]> => {
      asked += 1;
      if (behaviour === 'overloaded')
        return Promise.reject(localOverload('not asked: this process is receiving too much'));
      return Promise.resolve(refs.map((ref) => ({ kind: 'not-found', ref, httpStatus: 404, evidence: [] })));
    },
  };

  beforeAll(async () => {
    env = await createTestEnvironment();
    db = createDataSource(env.databaseUrl, { poolSize: 4 });
    await db.initialize();
  });
  afterAll(async () => {
    for (const queue of queues) await queue.close();
    await db?.destroy();
    await env?.destroy();
  });

  /** A captured statement of a tracked account, due for its re-check a minute ago. */
  async function dueStatement(externalId: string): Promise<JobOf<'recheck-statements'>> {
    const [account]: { id: string }[] = await db.query(
      `INSERT INTO accounts (platform, handle, external_id, profile_url, source_url, tracking, poll_interval_seconds, next_poll_at)
       VALUES ('mastodon', 'mfa@diplo.example', $1, 'https://diplo.example/@mfa', 'https://diplo.example', true, 300,
               now() + interval '1 hour')
       RETURNING id`,
      [externalId],
    );
    const { posts } = await preparePosts([
      {
        content: {
          platform: 'mastodon',
          account: 'mfa@diplo.example',
          postId: '113000000000000001',
          url: 'https://diplo.example/@mfa/113000000000000001',
          authoredAt: '2026-11-30T10:00:00.000Z',
          editedAt: null,
          title: null,
          text: 'We condemn the strike on civilian infrastructure.',
          html: null,
          language: 'en',
          media: [],
          isReply: false,
          isRepost: false,
          isQuote: false,
          parserVersion: 'test-1',
        },
        artifacts: [{ role: 'response', mediaType: 'application/json', bytes: Buffer.from('{"id":"1"}') }],
        evidenceLevel: 'captured',
      },
    ]);
    const [written] = await db.transaction((tx) =>
      writeCaptures(tx, [{ accountId: account.id, capturedAt: new Date(), posts }], 'test.example/log'),
    );
    // TypeORM answers an UPDATE … RETURNING with [rows, rowCount]
    const [[statement]]: [{ id: string; due: Date }[], number] = await db.query(
      `UPDATE statements SET next_check_at = date_trunc('milliseconds', now()) - interval '1 minute' WHERE id = $1
       RETURNING id, next_check_at AS due`,
      [written.statementIds[0]],
    );
    return { accountId: account.id, statements: [{ id: statement.id, dueAt: statement.due.toISOString() }] };
  }

  async function statementRow(id: string) {
    const [row]: { next_check_at: Date; last_checked_at: Date | null; status: string }[] = await db.query(
      `SELECT next_check_at, last_checked_at, status FROM statements WHERE id = $1`,
      [id],
    );
    return row;
  }

  it('waits in the queue without claiming its statements, then re-reads them once the load has passed', async () => {
    const config = env.config();
    const options = bullOptions(config);
    const [recheckQueue, logQueue, outboxQueue, mediaQueue, captureQueue] = [
      QueueName.Recheck,
      QueueName.Log,
      QueueName.Outbox,
      QueueName.Media,
      QueueName.Capture,
    ].map((name) => {
      const q = new Queue(name, options);
      queues.push(q);
      return q;
    });
    const registry = new ConnectorRegistry([connector]);
    const processor = new RecheckStatementsProcessor(
      new RecheckStatementsUseCase(
        db,
        registry,
        new CaptureWriter(db, config, new MetricsService(), logQueue, outboxQueue, mediaQueue),
        new QuotationRecorder(db, config, registry, logQueue, captureQueue, outboxQueue),
      ),
    );
    const worker = new Worker(QueueName.Recheck, (job, token) => processor.process(job, token), options);
    try {
      const data = await dueStatement('109');
      const statementId = data.statements[0].id;
      const before = await statementRow(statementId);
      const jobId = jobIds.recheck(data.accountId, {
        id: statementId,
        dueAt: new Date(data.statements[0].dueAt),
      });
      const started = Date.now();
      await recheckQueue.add(JobName.RecheckStatements, data, { jobId });

      const job = await waitFor('the deferral', async () => {
        const found = await recheckQueue.getJob(jobId);
        return found && (await found.getState()) === 'delayed' ? found : undefined;
      });
      expect(asked).toBe(1);
      expect(job.attemptsMade).toBe(0);
      // since when it is put off is kept with the job, for the spacing of the next deferrals
      const since = new Date(job.data.deferredSince!).getTime();
      expect(since).toBeGreaterThanOrEqual(started - 1000);
      expect(since).toBeLessThanOrEqual(Date.now());
      // nothing claimed or written: still due at the same time, never checked, no observation
      expect(await statementRow(statementId)).toEqual(before);
      expect(before.last_checked_at).toBeNull();
      const [{ observations }]: { observations: string }[] = await db.query(
        `SELECT count(*) AS observations FROM observations`,
      );
      expect(Number(observations)).toBe(0);

      // the load passes; the job comes back (sooner than its 5–30 s, for the test) and re-reads the post
      behaviour = 'answers';
      await job.promote();
      const after = await waitFor('the re-check', async () => {
        const row = await statementRow(statementId);
        return row.last_checked_at ? row : undefined;
      });
      expect(asked).toBe(2);
      expect(after.status).toBe('missing');
      expect(after.next_check_at.getTime()).toBeGreaterThan(before.next_check_at.getTime());
    } finally {
      await worker.close();
    }
  });

  it('answers "unknown" as before once it has been put off for longer than the limit', async () => {
    const config = env.config();
    const registry = new ConnectorRegistry([connector]);
    const [logQueue, outboxQueue, mediaQueue, captureQueue] = queues.slice(1);
    const useCase = new RecheckStatementsUseCase(
      db,
      registry,
      new CaptureWriter(db, config, new MetricsService(), logQueue, outboxQueue, mediaQueue),
      new QuotationRecorder(db, config, registry, logQueue, captureQueue, outboxQueue),
    );
    behaviour = 'overloaded';
    const data = await dueStatement('110');
    const statementId = data.statements[0].id;
    const before = await statementRow(statementId);

    const soon = await useCase.execute({
      ...data,
      deferredSince: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(soon).toMatchObject({ kind: 'deferred' });
    expect(await statementRow(statementId)).toEqual(before);

    const longAgo = new Date(Date.now() - RECHECK_DEFERRAL_LIMIT_MS - 1000).toISOString();
    const outcome = await useCase.execute({ ...data, deferredSince: longAgo });
    expect(outcome).toMatchObject({ checked: 1, observations: 0 });
    const after = await statementRow(statementId);
    expect(after.status).toBe('active');
    expect(after.last_checked_at).not.toBeNull();
    expect(after.next_check_at.getTime()).toBeGreaterThan(before.next_check_at.getTime());
  });
});

async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`waited 10 s for ${what}`);
}
