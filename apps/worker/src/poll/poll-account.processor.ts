import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { type Job } from 'bullmq';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { QueueName, type JobOf, WORKER_LOCKS } from '@app/queues';
import { PollAccountUseCase, type PollOutcome } from './poll-account.use-case';
import { PollJobRunner } from './poll-job-runner';

@Processor(QueueName.Poll, { ...WORKER_LOCKS })
export class PollAccountProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly runner: PollJobRunner;

  constructor(
    pollAccount: PollAccountUseCase,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
  ) {
    super();
    this.runner = new PollJobRunner((due) => pollAccount.execute(due), config.polling.workerConcurrency);
  }

  /** VERBATIM_WORKER_CONCURRENCY polls at once, and as many jobs (each of up to POLLS_PER_JOB polls). */
  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.polling.workerConcurrency;
  }

  /** Let polls in flight finish while the HTTP client and the database are still open. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  process(job: Job<JobOf<'poll-accounts'> | JobOf<'poll-account'>>): Promise<PollOutcome[]> {
    return this.runner.run(job.name, job.data);
  }
}
