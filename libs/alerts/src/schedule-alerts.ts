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

/**
 * Asks for another sequencing round in the next slot. A round's job can end with work it could not take
 * (events held back by an older transaction still running, or committed after the round read while the job
 * still ran, so the committer's request found this job's id taken): once the job is complete, the next slot
 * looks again instead of leaving them to the scheduler's next tick.
 */
export async function scheduleSequencingAgain(queue: Queue, now = Date.now()): Promise<void> {
  const next = Math.floor(now / SLOT_MS) + 1;
  await queue.add(JobName.SequenceEvents, {}, { jobId: jobIds.sequence(next), delay: SLOT_MS });
}

/** Asks for a delivery round in the next slot: after a round that found nothing to take, not at once. */
export async function scheduleDeliveryAgain(queue: Queue, now = Date.now()): Promise<void> {
  const next = Math.floor(now / SLOT_MS) + 1;
  await queue.add(JobName.DeliverWebhooks, {}, { jobId: jobIds.deliver(next), delay: SLOT_MS });
}
