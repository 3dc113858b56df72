import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { JobName, QueueName, type JobOf, WORKER_LOCKS } from '@app/queues';
import { CaptureUrlUseCase } from './capture-url.use-case';

@Processor(QueueName.Capture, { concurrency: 4, ...WORKER_LOCKS })
export class CaptureUrlProcessor extends WorkerHost implements BeforeApplicationShutdown {
  constructor(private readonly captureUrl: CaptureUrlUseCase) {
    super();
  }

  /** Let captures in flight finish while the HTTP client and the database are still open. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  async process(job: Job<JobOf<'capture-url'>>, token?: string): Promise<void> {
    if (job.name !== JobName.CaptureUrl)
      throw new Error(`queue ${QueueName.Capture} has no handler for job "${job.name}"`);
    const tryAgainAt = await this.captureUrl.execute(job.data, job.attemptsMade);
    if (tryAgainAt) {
      // put off for our own load: the same job waits, spending none of its attempts
      await job.moveToDelayed(tryAgainAt.getTime(), token);
      throw new DelayedError();
    }
  }
}
