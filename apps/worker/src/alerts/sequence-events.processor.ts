import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Job, type Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { OutboxSequencer, scheduleDelivery, scheduleSequencingAgain } from '@app/alerts';
import { hasUnsequencedEvents } from '@app/persistence';
import { askAgainIfWaiting, JobName, QueueName, WORKER_LOCKS } from '@app/queues';

/** Rounds one job may run before it hands over to a fresh job, so one burst cannot hold the queue forever. */
const MAX_ROUNDS = 50;

/** Sequences committed events into the outbox (one at a time: concurrency 1 plus an advisory lock). */
@Processor(QueueName.Outbox, { concurrency: 1, ...WORKER_LOCKS })
export class SequenceEventsProcessor extends WorkerHost implements BeforeApplicationShutdown {
  private readonly logger = new Logger(SequenceEventsProcessor.name);

  constructor(
    private readonly sequencer: OutboxSequencer,
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(QueueName.Outbox) private readonly outbox: Queue,
    @InjectQueue(QueueName.Webhooks) private readonly webhooks: Queue,
  ) {
    super();
  }

  /** Work a job left is looked at again in the next slot, asked for once the job is complete (askAgainIfWaiting). */
  @OnWorkerEvent('completed')
  async onCompleted(): Promise<void> {
    await askAgainIfWaiting({
      waiting: () => hasUnsequencedEvents(this.db.manager),
      askAgain: () => scheduleSequencingAgain(this.outbox),
      onError: (error) => this.logger.warn(`asking for the next sequencing round failed: ${error.message}`),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  async process(job: Job): Promise<number> {
    if (job.name !== JobName.SequenceEvents)
      throw new Error(`queue ${QueueName.Outbox} has no handler for job "${job.name}"`);
    // Rounds asked for so far are this job's to do: each asker committed its events before asking, so before this
    // job's first read. Left waiting, one job a 100 ms slot piled up behind a round slower than that (183 waiting
    // in a bench:scale run, each a Redis hash and a round that finds nothing). A round asked for later is kept.
    await this.outbox.drain();
    let sequenced = 0;
    let deliveries = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const result = await this.sequencer.sequenceOnce();
      sequenced += result.sequenced;
      deliveries += result.deliveries;
      if (!result.more) break;
    }
    if (deliveries > 0) await scheduleDelivery(this.webhooks);
    // work left for the next round is asked for once this job is complete (onCompleted)
    return sequenced;
  }
}
