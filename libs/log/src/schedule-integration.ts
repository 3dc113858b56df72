import { type Queue } from 'bullmq';
import { JobName, jobIds } from '@app/queues';

/**
 * Asks the sequencer to integrate what is waiting. Callers within one checkpoint interval share a job id,
 * so a burst of captures makes one job; the sequencer itself keeps checkpoints at least an interval apart
 * (integrateLog's `notBefore`), so an idle log integrates at once and a busy one once per interval.
 */
export async function scheduleIntegration(queue: Queue, intervalMs: number, now = Date.now()): Promise<void> {
  await queue.add(JobName.IntegrateLog, {}, { jobId: jobIds.integrate(Math.floor(now / intervalMs)) });
}
