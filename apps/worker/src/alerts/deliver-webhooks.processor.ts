import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Job, type Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { WebhookDeliverer, scheduleDelivery, scheduleDeliveryAgain } from '@app/alerts';
import { hasClaimableDeliveries } from '@app/persistence';
import { askAgainIfWaiting, JobName, QueueName, WORKER_LOCKS } from '@app/queues';

const MAX_ROUNDS = 20;

/**
 * Sends due webhook deliveries. Each round sends many at once; several workers may run rounds side by side
 * (deliveries are claimed with SKIP LOCKED and a lease).
 */
@Processor(QueueName.Webhooks, { concurrency: 1, ...WORKER_LOCKS })
export class DeliverWebhooksProcessor extends WorkerHost implements BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliverWebhooksProcessor.name);

  constructor(
    private readonly deliverer: WebhookDeliverer,
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(QueueName.Webhooks) private readonly webhooks: Queue,
  ) {
    super();
  }

  /**
   * Deliveries the sequencer committed while a job of this slot ran, after its last claim, were asked for under
   * the running job's id and refused: they, and a backlog the job left, are asked for once it is complete
   * (askAgainIfWaiting). Only deliveries a round would take count, so one held behind a retrying delivery of its
   * statement asks for nothing. After a job that sent something the next round runs at once; after one that
   * found nothing to take (the deliveries it counts were locked by another worker's claim) it waits for the next
   * slot, so a row kept locked makes ten empty rounds a second at most, not a loop.
   */
  @OnWorkerEvent('completed')
  async onCompleted(_job: Job, attempted: number): Promise<void> {
    await askAgainIfWaiting({
      waiting: () => hasClaimableDeliveries(this.db.manager),
      askAgain: () =>
        attempted > 0 ? scheduleDelivery(this.webhooks) : scheduleDeliveryAgain(this.webhooks),
      onError: (error) => this.logger.warn(`asking for the next delivery round failed: ${error.message}`),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  async process(job: Job): Promise<number> {
    if (job.name !== JobName.DeliverWebhooks)
      throw new Error(`queue ${QueueName.Webhooks} has no handler for job "${job.name}"`);
    let attempted = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const result = await this.deliverer.deliverOnce();
      attempted += result.attempted;
      if (!result.more) break;
    }
    // a backlog left after MAX_ROUNDS, and deliveries that came in after the last claim, are asked for once the
    // job is complete (onCompleted)
    return attempted;
  }
}
