import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, type Job } from 'bullmq';
import { Client } from 'pg';
import { type DataSource } from 'typeorm';
import { createDataSource } from '@app/persistence';
import { bullOptions, JobName, jobIds, QueueName } from '@app/queues';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { SEQUENCER_LOCK } from './integrate-log';
import { runIntegrationJob } from './integration-job';
import { loadLogKey } from './log-keys';

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

  /** One run of the job, as the worker runs it; an interval of 1 ms, so the run is never early. */
  const runOnce = () =>
    runIntegrationJob({} as Job, undefined, {
      db,
      key: loadLogKey({ origin: 'verbatim.test/log', keyFile: null, dataDir }),
      queue,
      batchSize: 100,
      intervalMs: 1,
    });

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
});
