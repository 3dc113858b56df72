import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Job, type Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { integrationRound, LOG_KEY, runIntegrationJob, scheduleIntegration, type LogKey } from '@app/log';
import { askAgainIfWaiting, JobName, QueueName, jobIds, WORKER_LOCKS } from '@app/queues';

/**
 * The sequencer: one job at a time per process (concurrency 1), one process at a time across the
 * installation (the advisory lock inside integrateLog). Each job integrates one batch and signs one checkpoint.
 */
@Processor(QueueName.Log, { concurrency: 1, ...WORKER_LOCKS })
export class IntegrateLogProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(IntegrateLogProcessor.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(LOG_KEY) private readonly key: LogKey,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
    @InjectQueue(QueueName.Log) private readonly queue: Queue,
    @InjectQueue(QueueName.Anchor) private readonly anchorQueue: Queue,
  ) {
    super();
  }

  /** A new log starts with the signed checkpoint of the empty tree; pending entries from before a restart are picked up. */
  async onApplicationBootstrap(): Promise<void> {
    await scheduleIntegration(this.queue, this.config.log.checkpointIntervalMs);
  }

  /** Entries that came in while a job of their slot ran are asked for once it is complete (askAgainIfWaiting). */
  @OnWorkerEvent('completed')
  async onCompleted(): Promise<void> {
    await askAgainIfWaiting(
      integrationRound({
        db: this.db,
        queue: this.queue,
        intervalMs: this.config.log.checkpointIntervalMs,
        onError: (error) => this.logger.warn(`asking for the next log integration failed: ${error.message}`),
      }),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  async process(job: Job, token?: string): Promise<number> {
    if (job.name !== JobName.IntegrateLog)
      throw new Error(`queue ${QueueName.Log} has no handler for job "${job.name}"`);
    const result = await runIntegrationJob(job, token, {
      db: this.db,
      key: this.key,
      queue: this.queue,
      batchSize: this.config.log.batchSize,
      intervalMs: this.config.log.checkpointIntervalMs,
    });
    if (result.checkpoint) {
      this.logger.debug(`checkpoint ${result.checkpoint.size} (+${result.integrated})`);
      if (this.config.log.tsaUrls.length > 0 || this.config.log.witnesses.length > 0) {
        await this.anchorQueue.add(
          JobName.AnchorCheckpoint,
          { size: result.checkpoint.size },
          { jobId: jobIds.anchor(result.checkpoint.size) },
        );
      }
    }
    return result.integrated;
  }
}
