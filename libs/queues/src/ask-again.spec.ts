import { Queue, Worker } from 'bullmq';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { waitFor } from '@app/testing/wait-for';
import { askAgainAfterEachJob } from './ask-again';
import { bullOptions } from './queues.module';
import { QueueName } from './queue-names';

describe('askAgainAfterEachJob (on a real Redis)', () => {
  let env: TestEnvironment;
  let queue: Queue;

  beforeAll(async () => {
    env = await createTestEnvironment();
    queue = new Queue(QueueName.Outbox, bullOptions(env.config()));
  });
  afterAll(async () => {
    await queue?.close();
    await env?.destroy();
  });

  it("asks again under the completed job's own id, which BullMQ refused while the job ran", async () => {
    const { connection, prefix, defaultJobOptions } = bullOptions(env.config());
    const slotId = 'round.1';
    const ask = () => queue.add('round', {}, { ...defaultJobOptions, jobId: slotId });
    let runs = 0;
    let workWaiting = false;
    let waitingDuringRun = -1;
    const worker = new Worker(
      QueueName.Outbox,
      async () => {
        runs++;
        if (runs === 1) {
          // work committed after this run's last read, asked for in the same slot: refused as taken
          workWaiting = true;
          await ask();
          waitingDuringRun = await queue.getWaitingCount();
        } else {
          workWaiting = false;
        }
      },
      // completed jobs are removed by the queues' job defaults (`removeOnComplete`), which `ask` uses
      { connection, prefix, concurrency: 1 },
    );
    const errors: Error[] = [];
    askAgainAfterEachJob(worker, {
      waiting: async () => workWaiting,
      askAgain: async () => void (await ask()),
      onError: (error) => errors.push(error),
    });
    try {
      await ask();
      await waitFor('the waiting work to get a second run', async () => runs === 2 && !workWaiting);
      expect(waitingDuringRun).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await worker.close();
    }
  });
});
