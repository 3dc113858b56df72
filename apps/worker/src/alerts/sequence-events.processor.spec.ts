import { Queue, type Job } from 'bullmq';
import { type DataSource } from 'typeorm';
import { OutboxSequencer } from '@app/alerts';
import { createDataSource } from '@app/persistence';
import { bullOptions, JobName, jobIds, QueueName } from '@app/queues';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { SequenceEventsProcessor } from './sequence-events.processor';

/** The sequencing job's own queue work, on a real database and Redis. */
describe('SequenceEventsProcessor: rounds asked for before a job starts (real database and queue)', () => {
  let env: TestEnvironment;
  let db: DataSource;
  let outbox: Queue;
  let webhooks: Queue;

  beforeAll(async () => {
    env = await createTestEnvironment();
    db = createDataSource(env.databaseUrl, { poolSize: 2 });
    await db.initialize();
    outbox = new Queue(QueueName.Outbox, bullOptions(env.config()));
    webhooks = new Queue(QueueName.Webhooks, bullOptions(env.config()));
  });

  afterAll(async () => {
    await outbox?.close();
    await webhooks?.close();
    await db?.destroy();
    await env?.destroy();
  });

  it('are done by that job: the waiting ones are dropped, a delayed one is kept', async () => {
    // what committers ask for over a slow round: one job per 100 ms slot
    for (let slot = 1; slot <= 5; slot++)
      await outbox.add(JobName.SequenceEvents, {}, { jobId: jobIds.sequence(slot) });
    // a round asked for the next slot by the job before (events held back by a transaction still running)
    await outbox.add(JobName.SequenceEvents, {}, { jobId: jobIds.sequence(99), delay: 60_000 });
    expect(await outbox.getWaitingCount()).toBe(5);

    const processor = new SequenceEventsProcessor(
      new OutboxSequencer(db, env.config()),
      db,
      outbox,
      webhooks,
    );
    await processor.process({ name: JobName.SequenceEvents } as Job);

    expect(await outbox.getWaitingCount()).toBe(0);
    expect((await outbox.getDelayed()).map((job) => job.id)).toEqual([jobIds.sequence(99)]);
    // their ids are free again: a committer asking in one of those slots now gets a round
    await outbox.add(JobName.SequenceEvents, {}, { jobId: jobIds.sequence(3) });
    expect(await outbox.getWaitingCount()).toBe(1);
  });
});
