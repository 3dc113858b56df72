import { type Queue } from 'bullmq';
import { JobName, jobIds } from '@app/queues';

/**
 * Asks for the log to integrate what is waiting at the next checkpoint-interval boundary. Every caller
 * in the same interval lands on the same job id, so one integration (and one checkpoint) serves them all.
 */
export async function scheduleIntegration(queue: Queue, intervalMs: number, now = Date.now()): Promise<void> {
  const slot = Math.floor(now / intervalMs) + 1;
  await queue.add(
    JobName.IntegrateLog,
    {},
    { jobId: jobIds.integrate(slot), delay: slot * intervalMs - now },
  );
}
