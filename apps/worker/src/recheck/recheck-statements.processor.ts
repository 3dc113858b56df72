import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { type RecheckOutcome } from '@app/capture';
import { JobName, QueueName, type JobOf, WORKER_LOCKS } from '@app/queues';
import { RecheckStatementsUseCase } from './recheck-statements.use-case';

/** Few at a time: rechecks share each host's rate budget with polls, which come first. */
@Processor(QueueName.Recheck, { concurrency: 2, ...WORKER_LOCKS })
export class RecheckStatementsProcessor extends WorkerHost implements BeforeApplicationShutdown {
  constructor(private readonly recheck: RecheckStatementsUseCase) {
    super();
  }

  /** Let rechecks in flight finish while the HTTP client and the database are still open. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  async process(job: Job<JobOf<'recheck-statements'>>, token?: string): Promise<RecheckOutcome | 'stale'> {
    if (job.name !== JobName.RecheckStatements)
      throw new Error(`queue ${QueueName.Recheck} has no handler for job "${job.name}"`);
    const result = await this.recheck.execute(job.data);
    if (result !== 'stale' && 'kind' in result) {
      // put off for our own load: the same job waits, spending none of its attempts, and keeps since when
      if (!job.data.deferredSince)
        await job.updateData({ ...job.data, deferredSince: result.since.toISOString() });
      await job.moveToDelayed(result.until.getTime(), token);
      throw new DelayedError();
    }
    return result;
  }
}
