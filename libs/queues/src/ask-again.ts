import { type Worker } from 'bullmq';

/** A round of work that a job runs, and how to ask for the next one. */
export interface AskedRound {
  /** whether work waits that no running or queued round will see */
  waiting: () => Promise<boolean>;
  askAgain: () => Promise<void>;
  onError: (error: Error) => void;
}

/**
 * Asks for another round when work still waits; for a worker's `completed` event. Rounds are asked for under one
 * job id per time slot, and BullMQ refuses an id that is taken: work committed while a job of that slot ran, after
 * the job's last read, was asked for under the running job's own id, and nothing but the scheduler's next tick
 * would come back for it. A job cannot close that gap itself, since it holds its id until it returns. Once it is
 * complete its id is free (completed jobs are removed, `removeOnComplete` in the queues' defaults), so work
 * committed before this check is seen by it, and work committed after it gets a round of its own.
 */
export async function askAgainIfWaiting(round: AskedRound): Promise<void> {
  try {
    if (await round.waiting()) await round.askAgain();
  } catch (error) {
    round.onError(error instanceof Error ? error : new Error(String(error)));
  }
}

/** `askAgainIfWaiting` after each job a plain BullMQ worker completes (benchmarks, specs). */
export function askAgainAfterEachJob(worker: Worker, round: AskedRound): void {
  worker.on('completed', () => void askAgainIfWaiting(round));
}
