import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { QueueName } from './queue-names';
import { redisOptionsFromUrl } from './redis-options';

const JOB_DEFAULTS = {
  removeOnComplete: true,
  removeOnFail: true,
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
};

/** BullMQ on the configured Redis and key prefix, with the queues registered as producers. */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [VERBATIM_CONFIG],
      useFactory: (config: VerbatimConfig) => ({
        connection: redisOptionsFromUrl(config.redisUrl),
        prefix: config.queuePrefix,
        defaultJobOptions: JOB_DEFAULTS,
      }),
    }),
    BullModule.registerQueue(
      { name: QueueName.Poll },
      { name: QueueName.Capture },
      { name: QueueName.Log },
      { name: QueueName.Anchor },
      { name: QueueName.Outbox },
      { name: QueueName.Webhooks },
      { name: QueueName.Recheck },
      { name: QueueName.Media },
    ),
  ],
  exports: [BullModule],
})
export class QueuesModule {}
