import { type Queue } from 'bullmq';
import { JobName, jobIds } from '@app/queues';

const SLOT_MS = 100;

/** Asks for a sequencing round: commits within one 100 ms slot share a job. */
export async function scheduleSequencing(queue: Queue, now = Date.now()): Promise<void> {
  await queue.add(JobName.SequenceEvents, {}, { jobId: jobIds.sequence(Math.floor(now / SLOT_MS)) });
}

/** Asks for a delivery round. */
export async function scheduleDelivery(queue: Queue, now = Date.now()): Promise<void> {
  await queue.add(JobName.DeliverWebhooks, {}, { jobId: jobIds.deliver(Math.floor(now / SLOT_MS)) });
}
