import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job } from 'bullmq';
import { JobName, QueueName, type JobOf } from '@app/queues';
import { CaptureUrlUseCase } from './capture-url.use-case';

@Processor(QueueName.Capture, { concurrency: 4 })
export class CaptureUrlProcessor extends WorkerHost {
  constructor(private readonly captureUrl: CaptureUrlUseCase) {
    super();
  }

  async process(job: Job<JobOf<'capture-url'>>): Promise<void> {
    if (job.name !== JobName.CaptureUrl)
      throw new Error(`queue ${QueueName.Capture} has no handler for job "${job.name}"`);
    await this.captureUrl.execute(job.data);
  }
}
