import { type Worker } from 'bullmq';

/**
 * After each job the worker completes, asks for another round when work is still waiting. Rounds are asked for
 * under one job id per time slot, and BullMQ refuses an id that is taken: work committed while a job of that slot
 * ran, after the job's last read, was asked for under the running job's own id, and nothing but the scheduler's
 * next tick would come back for it. A job cannot close that gap itself, since it is active until it returns;
 * once it is complete its id is free, so work committed before this check is seen by it, and work committed after
 * it gets a round of its own.
 */
export function askAgainAfterEachJob(
  worker: Worker,
  round: { waiting: () => Promise<boolean>; askAgain: () => Promise<void>; onError: (error: Error) => void },
): void {
  worker.on('completed', () => {
    void (async () => {
      if (await round.waiting()) await round.askAgain();
    })().catch(round.onError);
  });
}
