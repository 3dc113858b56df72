import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker, type Job } from 'bullmq';
import { Client } from 'pg';
import { type DataSource } from 'typeorm';
import { createDataSource } from '@app/persistence';
import { askAgainAfterEachJob, bullOptions, JobName, jobIds, QueueName } from '@app/queues';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { waitFor } from '@app/testing/wait-for';
import { SEQUENCER_LOCK } from './integrate-log';
import { integrationRound, runIntegrationJob } from './integration-job';
import { loadLogKey } from './log-keys';
import { scheduleIntegration } from './schedule-integration';

/** The integration job's own queue work, on a real database and Redis. */
describe('runIntegrationJob: runs asked for before a job starts (real database and queue)', () => {
  let env: TestEnvironment;
  let db: DataSource;
  let queue: Queue;
  let dataDir: string;

  beforeAll(async () => {
    env = await createTestEnvironment();
    db = createDataSource(env.databaseUrl, { poolSize: 2 });
    await db.initialize();
    queue = new Queue(QueueName.Log, bullOptions(env.config()));
    dataDir = mkdtempSync(join(tmpdir(), 'verbatim-integration-job-'));
  });

  /** What the job needs; an interval of 1 ms, so a run is never early. */
  const deps = () => ({
    db,
    key: loadLogKey({ origin: 'verbatim.test/log', keyFile: null, dataDir }),
    queue,
    batchSize: 100,
    intervalMs: 1,
  });
  /** One run of the job, as the worker runs it. */
  const runOnce = () => runIntegrationJob({} as Job, undefined, deps());

  afterAll(async () => {
    await queue?.close();
    await db?.destroy();
    await env?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('are left waiting by a job that lost the lock to another process: they are the tries after it', async () => {
    for (let slot = 1; slot <= 4; slot++)
      await queue.add(JobName.IntegrateLog, {}, { jobId: jobIds.integrate(slot) });
    const other = new Client({ connectionString: env.databaseUrl });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [SEQUENCER_LOCK]);
      const result = await runOnce();
      expect(result).toMatchObject({ integrated: 0, more: true });
      // the four, and the one it asked for after
      expect(await queue.getWaitingCount()).toBe(5);
    } finally {
      await other.end();
    }
    await queue.drain();
  });

  it('are done by that job: the waiting ones are dropped, and the log integrated', async () => {
    // what committers ask for over a slow run: one job per interval
    for (let slot = 1; slot <= 4; slot++)
      await queue.add(JobName.IntegrateLog, {}, { jobId: jobIds.integrate(slot) });
    expect(await queue.getWaitingCount()).toBe(4);

    const result = await runOnce();

    // the first run of an empty log signs the empty tree's checkpoint
    expect(result.checkpoint?.size).toBe(0);
    expect(await queue.getWaitingCount()).toBe(0);
    // their ids are free again: an entry committed now gets a run
    await queue.add(JobName.IntegrateLog, {}, { jobId: jobIds.integrate(2) });
    expect(await queue.getWaitingCount()).toBe(1);
  });

  it('are asked for again once a job is complete, when entries came in while it ran under its id', async () => {
    const { connection, prefix } = bullOptions(env.config());
    let committedDuringRun = false;
    const worker = new Worker(
      QueueName.Log,
      async (job, token) => {
        const result = await runIntegrationJob(job, token, deps());
        if (!committedDuringRun) {
          committedDuringRun = true;
          // a committer, after this run read: its entry, and its ask for a run under this job's id, refused as taken
          await db.query(`INSERT INTO log_pending (entry, statement_id) VALUES ('\\x01', gen_random_uuid())`);
          await queue.add(JobName.IntegrateLog, {}, { jobId: job.id });
          expect(await queue.getJobCounts('wait', 'delayed')).toEqual({ wait: 0, delayed: 0 });
        }
        return result.integrated;
      },
      { connection, prefix, concurrency: 1, removeOnComplete: { count: 0 } },
    );
    const errors: Error[] = [];
    askAgainAfterEachJob(worker, integrationRound({ ...deps(), onError: (error) => errors.push(error) }));
    try {
      await queue.add(JobName.IntegrateLog, {}, { jobId: jobIds.integrate(9) });
      await waitFor('the entry committed during the first run to be integrated', async () => {
        const [{ waiting }]: { waiting: number }[] = await db.query(
          `SELECT count(*)::int AS waiting FROM log_pending`,
        );
        return committedDuringRun && waiting === 0;
      });
      expect(errors).toEqual([]);
    } finally {
      await worker.close();
    }
  });

  it('are asked for again as the run of the next interval, shared with the committers of that interval', async () => {
    const intervalMs = 3_600_000;
    const round = integrationRound({ ...deps(), intervalMs, onError: () => undefined });
    const slotBefore = Math.floor(Date.now() / intervalMs);
    await round.askAgain();
    const slotAfter = Math.floor(Date.now() / intervalMs);
    // a committer of the next interval
    await scheduleIntegration(queue, intervalMs, (slotAfter + 1) * intervalMs);

    const asked = await queue.getJobs(['wait', 'delayed']);
    expect(asked).toHaveLength(slotBefore === slotAfter ? 1 : 2);
    expect(asked.map((job) => job.id)).toContain(jobIds.integrate(slotAfter + 1));
    await queue.drain(true);
  });

  it('are not asked for again while another sequencer holds the lock: its own completed job looks again', async () => {
    await db.query(`INSERT INTO log_pending (entry, statement_id) VALUES ('\\x02', gen_random_uuid())`);
    const errors: Error[] = [];
    const round = integrationRound({ ...deps(), onError: (error) => errors.push(error) });
    const other = new Client({ connectionString: env.databaseUrl });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [SEQUENCER_LOCK]);
      expect(await round.waiting()).toBe(false);
      await other.query('SELECT pg_advisory_unlock($1)', [SEQUENCER_LOCK]);
      expect(await round.waiting()).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await other.end();
    }
    await db.query(`DELETE FROM log_pending`);
  });
});
