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

/** How long the queue waits before trying a job again after its `failures`-th failure (BullMQ's exponential backoff). */
export function retryDelayMs(failures: number): number {
  return JOB_DEFAULTS.backoff.delay * 2 ** Math.max(0, failures - 1);
}

/**
 * Each queue's event stream (what a BullMQ `QueueEvents` listener reads as it happens; Verbatim has none) keeps
 * about this many events, not BullMQ's 10,000: they are Redis memory that tells nothing PostgreSQL does not, and at
 * BullMQ's length the streams of the quieter queues were still growing minutes into a run (in `bench:scale`, the log
 * queue's from 320 to 700 KiB in the second minute, while everything the poll queue held was about 560 KiB).
 */
export const QUEUE_EVENTS_KEPT = 100;

/**
 * What of a queue's settings BullMQ keeps in Redis (the queue's `meta` hash), written when a queue is created. A
 * flushed Redis loses them, and BullMQ's scripts then write their defaults back: the scheduler writes these again
 * when it sees the flush (a new queue epoch).
 */
export const QUEUE_SETTINGS_IN_REDIS = { 'opts.maxLenEvents': QUEUE_EVENTS_KEPT };

/** The options every queue and worker shares: connection, key prefix, job defaults, event streams. */
export function bullOptions(config: Pick<VerbatimConfig, 'redisUrl' | 'queuePrefix'>) {
  return {
    connection: redisOptionsFromUrl(config.redisUrl),
    prefix: config.queuePrefix,
    defaultJobOptions: JOB_DEFAULTS,
    streams: { events: { maxLen: QUEUE_EVENTS_KEPT } },
  };
}

/** BullMQ on the configured Redis and key prefix, with the queues registered as producers. */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [VERBATIM_CONFIG],
      useFactory: (config: VerbatimConfig) => bullOptions(config),
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
