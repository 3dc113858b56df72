import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Job, type Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { WebhookDeliverer, scheduleDelivery, scheduleDeliveryAgain } from '@app/alerts';
import { hasDueDeliveries } from '@app/persistence';
import { JobName, QueueName, WORKER_LOCKS } from '@app/queues';

const MAX_ROUNDS = 20;

/**
 * Sends due webhook deliveries. Each round sends many at once; several workers may run rounds side by side
 * (deliveries are claimed with SKIP LOCKED and a lease).
 */
@Processor(QueueName.Webhooks, { concurrency: 1, ...WORKER_LOCKS })
export class DeliverWebhooksProcessor extends WorkerHost implements BeforeApplicationShutdown {
  constructor(
    private readonly deliverer: WebhookDeliverer,
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(QueueName.Webhooks) private readonly webhooks: Queue,
  ) {
    super();
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
      if (!result.more) {
        // the sequencer may have committed deliveries after the last claim, while this job's id was taken;
        // only after a round that sent something, so deliveries held back by a retry never make a busy loop
        if (attempted > 0 && (await hasDueDeliveries(this.db.manager)))
          await scheduleDeliveryAgain(this.webhooks);
        return attempted;
      }
    }
    // a backlog is left: hand over to a fresh job now rather than idle until the scheduler's next tick
    await scheduleDelivery(this.webhooks);
    return attempted;
  }
}
