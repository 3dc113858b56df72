import { Queue, Worker } from 'bullmq';
import { type DataSource } from 'typeorm';
import { CaptureWriter, preparePosts, QuotationRecorder } from '@app/capture';
import { localOverload } from '@app/core';
import { MetricsService } from '@app/observability';
import { createDataSource, writeCaptures } from '@app/persistence';
import { bullOptions, JobName, jobIds, QueueName, type JobOf } from '@app/queues';
import { ConnectorRegistry, type Connector, type PostAnswer, type PostRef } from '@app/sources';
import { statementContent } from '@app/testing/statement-content';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { waitFor } from '@app/testing/wait-for';
import { RecheckStatementsProcessor } from './recheck-statements.processor';
import { RECHECK_DEFERRAL_LIMIT_MS, RecheckStatementsUseCase } from './recheck-statements.use-case';

/** A re-check our own load refused, through a real queue and database: put off a little, not answered "unknown". */
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
  /** Captured statements of a tracked account, due for their re-check a minute ago. */
  async function dueStatement(externalId: string, count = 1): Promise<JobOf<'recheck-statements'>> {
    const [account]: { id: string }[] = await db.query(
      `INSERT INTO accounts (platform, handle, external_id, profile_url, source_url, tracking, poll_interval_seconds, next_poll_at)
       VALUES ('mastodon', 'mfa@diplo.example', $1, 'https://diplo.example/@mfa', 'https://diplo.example', true, 300,
               now() + interval '1 hour')
       RETURNING id`,
      [externalId],
    );
    const { posts } = await preparePosts(
      Array.from({ length: count }, (_, i) => {
        const postId = String(113000000000000001n + BigInt(i));
        return {
          content: statementContent(postId, {
            text: `We condemn the strike on civilian infrastructure (${i}).`,
          }),
          artifacts: [
            { role: 'response', mediaType: 'application/json', bytes: Buffer.from(`{"id":"${postId}"}`) },
          ],
          evidenceLevel: 'captured',
        };
      }),
    );
    const [written] = await db.transaction((tx) =>
      writeCaptures(tx, [{ accountId: account.id, capturedAt: new Date(), posts }], 'test.example/log'),
    );
    // TypeORM answers an UPDATE … RETURNING with [rows, rowCount]
    const [rows]: [{ id: string; due: Date }[], number] = await db.query(
      `UPDATE statements SET next_check_at = date_trunc('milliseconds', now()) - interval '1 minute'
       WHERE id = ANY($1::uuid[]) RETURNING id, next_check_at AS due`,
      [written.statementIds],
    );
    return { accountId: account.id, statements: rows.map((r) => ({ id: r.id, dueAt: r.due.toISOString() })) };
  }

  async function statementRow(id: string) {
    const [row]: {
      next_check_at: Date;
      last_checked_at: Date | null;
      recheck_deferred_since: Date | null;
      status: string;
    }[] = await db.query(
      `SELECT next_check_at, last_checked_at, recheck_deferred_since, status FROM statements WHERE id = $1`,
      [id],
    );
    return row;
  }

  /** The job the scheduler would make for every statement of a job as they are due now. */
  async function dueAgainAll(data: JobOf<'recheck-statements'>): Promise<JobOf<'recheck-statements'>> {
    const statements = [];
    for (const { id } of data.statements)
      statements.push({ id, dueAt: (await statementRow(id)).next_check_at.toISOString() });
    return { ...data, statements };
  }

  /** The job the scheduler would make for a statement as it is due now. */
  async function dueAgain(data: JobOf<'recheck-statements'>): Promise<JobOf<'recheck-statements'>> {
    const row = await statementRow(data.statements[0].id);
    return { ...data, statements: [{ id: data.statements[0].id, dueAt: row.next_check_at.toISOString() }] };
  }

  const useCaseWith = (registry: ConnectorRegistry) => {
    const config = env.config();
    const [logQueue, outboxQueue, mediaQueue, captureQueue] = [
      QueueName.Log,
      QueueName.Outbox,
      QueueName.Media,
      QueueName.Capture,
    ].map((name) => {
      const q = new Queue(name, bullOptions(config));
      queues.push(q);
      return q;
    });
    return new RecheckStatementsUseCase(
      db,
      registry,
      new CaptureWriter(db, config, new MetricsService(), logQueue, outboxQueue, mediaQueue),
      new QuotationRecorder(db, config, registry, logQueue, captureQueue, outboxQueue),
    );
  };

  it('puts its statements off a little, unchecked, and re-reads them when they come due again', async () => {
    const options = bullOptions(env.config());
    const recheckQueue = new Queue(QueueName.Recheck, options);
    queues.push(recheckQueue);
    const processor = new RecheckStatementsProcessor(useCaseWith(new ConnectorRegistry([connector])));
    const outcomes: unknown[] = [];
    const worker = new Worker(
      QueueName.Recheck,
      async (job) => {
        const outcome = await processor.process(job);
        outcomes.push(outcome);
        return outcome;
      },
      options,
    );
    try {
      behaviour = 'overloaded';
      asked = 0;
      const data = await dueStatement('109');
      const statementId = data.statements[0].id;
      const before = await statementRow(statementId);
      const started = Date.now();
      await recheckQueue.add(JobName.RecheckStatements, data, {
        jobId: jobIds.recheck(data.accountId, { id: statementId, dueAt: before.next_check_at }),
      });
      await waitFor('the re-check', async () => outcomes.length === 1);
      expect(asked).toBe(1);
      expect(outcomes[0]).toMatchObject({ kind: 'deferred', statements: 1 });
      // due again 5–30 s on, in PostgreSQL; never checked, its status as it was, no observation
      const deferred = await statementRow(statementId);
      const waits = deferred.next_check_at.getTime() - started;
      expect(waits).toBeGreaterThanOrEqual(5000 - 1000);
      expect(waits).toBeLessThanOrEqual(30_000 + (Date.now() - started));
      expect(deferred).toMatchObject({ last_checked_at: null, status: before.status });
      expect(deferred.recheck_deferred_since).toBeInstanceOf(Date);
      const [{ observations }]: { observations: string }[] = await db.query(
        `SELECT count(*) AS observations FROM observations`,
      );
      expect(Number(observations)).toBe(0);
      // a replay of the same job finds the statement no longer due at that time
      await recheckQueue.add(JobName.RecheckStatements, data, { jobId: 'replay' });
      await waitFor('the replay', async () => outcomes.length === 2);
      expect(outcomes[1]).toBe('stale');

      // the load passes; the scheduler's next job for the new due time re-reads the post
      behaviour = 'answers';
      const again = await dueAgain(data);
      await recheckQueue.add(JobName.RecheckStatements, again, { jobId: 'again' });
      await waitFor('the second re-check', async () => outcomes.length === 3);
      expect(asked).toBe(2);
      const after = await statementRow(statementId);
      expect(after).toMatchObject({ status: 'missing', recheck_deferred_since: null });
      expect(after.last_checked_at).toBeInstanceOf(Date);
    } finally {
      await worker.close();
    }
  });

  it('waits longer the longer it has been put off, and answers "unknown" as before past the limit', async () => {
    const useCase = useCaseWith(new ConnectorRegistry([connector]));
    behaviour = 'overloaded';
    const data = await dueStatement('110');
    const statementId = data.statements[0].id;
    // put off twenty minutes ago: the next try waits 150–300 s
    await db.query(
      `UPDATE statements SET recheck_deferred_since = now() - interval '20 minutes' WHERE id = $1`,
      [statementId],
    );
    const now = Date.now();
    const later = await useCase.execute(data);
    expect(later).toMatchObject({ kind: 'deferred', statements: 1 });
    const waits = (await statementRow(statementId)).next_check_at.getTime() - now;
    expect(waits).toBeGreaterThanOrEqual(150_000 - 1000);
    expect(waits).toBeLessThanOrEqual(300_000 + (Date.now() - now));

    // past the hour: its post is unknown, checked and rescheduled on the decaying schedule
    await db.query(
      `UPDATE statements SET recheck_deferred_since = now() - $2 * interval '1 millisecond' WHERE id = $1`,
      [statementId, RECHECK_DEFERRAL_LIMIT_MS + 1000],
    );
    const outcome = await useCase.execute(await dueAgain(data));
    expect(outcome).toMatchObject({ checked: 1, observations: 0 });
    const after = await statementRow(statementId);
    expect(after).toMatchObject({ status: 'active', recheck_deferred_since: null });
    expect(after.last_checked_at).toBeInstanceOf(Date);
  });

  it('counts each statement from its own first deferral in a row, and starts again for one that came back late', async () => {
    const useCase = useCaseWith(new ConnectorRegistry([connector]));
    behaviour = 'overloaded';
    const data = await dueStatement('111', 3);
    const [expired, late, fresh] = data.statements.map((s) => s.id);
    // one past the hour; one marked two hours ago but due an hour ago (its account was paused meanwhile)
    await db.query(
      `UPDATE statements SET recheck_deferred_since = now() - $2 * interval '1 millisecond' WHERE id = $1`,
      [expired, RECHECK_DEFERRAL_LIMIT_MS + 1000],
    );
    await db.query(
      `UPDATE statements SET recheck_deferred_since = now() - interval '2 hours',
         next_check_at = date_trunc('milliseconds', now()) - interval '1 hour' WHERE id = $1`,
      [late],
    );
    const started = Date.now();
    const outcome = await useCase.execute(await dueAgainAll(data));
    // the expired one answered unknown and checked; the other two put off 5–30 s, the late one starting again
    expect(outcome).toMatchObject({ checked: 1, observations: 0 });
    expect(await statementRow(expired)).toMatchObject({ recheck_deferred_since: null, status: 'active' });
    for (const id of [late, fresh]) {
      const row = await statementRow(id);
      expect(row.last_checked_at).toBeNull();
      expect(row.recheck_deferred_since!.getTime()).toBeGreaterThanOrEqual(started - 1000);
      expect(row.next_check_at.getTime() - started).toBeGreaterThanOrEqual(5000 - 1000);
      expect(row.next_check_at.getTime() - started).toBeLessThanOrEqual(30_000 + (Date.now() - started));
    }
  });
});
