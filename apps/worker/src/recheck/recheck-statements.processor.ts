import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown } from '@nestjs/common';
import { type Job } from 'bullmq';
import { type RecheckOutcome } from '@app/capture';
import { JobName, QueueName, type JobOf, WORKER_LOCKS } from '@app/queues';
import { RecheckStatementsUseCase, type RecheckDeferral } from './recheck-statements.use-case';

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

  async process(job: Job<JobOf<'recheck-statements'>>): Promise<RecheckOutcome | RecheckDeferral | 'stale'> {
    if (job.name !== JobName.RecheckStatements)
      throw new Error(`queue ${QueueName.Recheck} has no handler for job "${job.name}"`);
    return this.recheck.execute(job.data);
  }
}
