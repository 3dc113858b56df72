import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown } from '@nestjs/common';
import { type Job } from 'bullmq';
import { JobName, QueueName, type JobOf, WORKER_LOCKS } from '@app/queues';
import { DownloadMediaUseCase, type MediaOutcome } from './download-media.use-case';

/** Two downloads at a time: media are large and never urgent; captures run on their own queues. */
@Processor(QueueName.Media, { concurrency: 2, ...WORKER_LOCKS })
export class DownloadMediaProcessor extends WorkerHost implements BeforeApplicationShutdown {
  constructor(private readonly media: DownloadMediaUseCase) {
    super();
  }

  /** Let downloads in flight finish while the HTTP client and the database are still open. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  async process(job: Job<JobOf<'download-media'>>): Promise<MediaOutcome> {
    if (job.name !== JobName.DownloadMedia)
      throw new Error(`queue ${QueueName.Media} has no handler for job "${job.name}"`);
    return this.media.execute(job.data);
  }
}
