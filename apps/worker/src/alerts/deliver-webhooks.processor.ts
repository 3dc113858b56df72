import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown } from '@nestjs/common';
import { type Job } from 'bullmq';
import { WebhookDeliverer } from '@app/alerts';
import { JobName, QueueName, WORKER_LOCKS } from '@app/queues';

const MAX_ROUNDS = 20;

/**
 * Sends due webhook deliveries. Each round sends many at once; several workers may run rounds side by side
 * (deliveries are claimed with SKIP LOCKED and a lease).
 */
@Processor(QueueName.Webhooks, { concurrency: 1, ...WORKER_LOCKS })
export class DeliverWebhooksProcessor extends WorkerHost implements BeforeApplicationShutdown {
  constructor(private readonly deliverer: WebhookDeliverer) {
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
      if (!result.more) break;
    }
    return attempted;
  }
}
