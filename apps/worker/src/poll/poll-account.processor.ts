import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { type Job } from 'bullmq';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { JobName, QueueName, type JobOf, WORKER_LOCKS } from '@app/queues';
import { PollAccountUseCase, type PollOutcome } from './poll-account.use-case';

@Processor(QueueName.Poll, { ...WORKER_LOCKS })
export class PollAccountProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  constructor(
    private readonly pollAccount: PollAccountUseCase,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.polling.workerConcurrency;
  }

  /** Let polls in flight finish while the HTTP client and the database are still open. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  async process(job: Job<JobOf<'poll-account'>>): Promise<PollOutcome> {
    if (job.name !== JobName.PollAccount)
      throw new Error(`queue ${QueueName.Poll} has no handler for job "${job.name}"`);
    return this.pollAccount.execute(job.data);
  }
}
