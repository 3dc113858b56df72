import { DelayedError, type Job, type Queue } from 'bullmq';
import { type DataSource } from 'typeorm';
import { hasPendingLogEntries } from '@app/persistence';
import { type AskedRound } from '@app/queues';
import { integrateLog, sequencerAtWork, type IntegrationResult } from './integrate-log';
import { type LogKey } from './log-keys';
import { scheduleIntegration } from './schedule-integration';

/**
 * One run of the sequencer's job, as the worker (and the benchmark) runs it: integrate, keep checkpoints at
 * least an interval apart by delaying the job itself, and ask again when entries are still waiting.
 */
export async function runIntegrationJob(
  job: Job,
  token: string | undefined,
  deps: { db: DataSource; key: LogKey; queue: Queue; batchSize: number; intervalMs: number },
): Promise<IntegrationResult> {
  // Runs asked for before this one holds the lock are its to do: each asker committed its entries before asking, so
  // before this run reads them (or, when it is early, before the run it is delayed to). Left waiting, one job an
  // interval piled up behind runs slower than that (21 → 74 waiting over a bench:scale window). A run that lost the
  // lock to another process leaves them: they are the tries after it. Runs asked for later stay.
  const result = await integrateLog(deps.db, deps.key, deps.batchSize, deps.intervalMs, () =>
    deps.queue.drain(),
  );
  if (result.notBefore) {
    await job.moveToDelayed(result.notBefore.getTime(), token);
    throw new DelayedError();
  }
  if (result.more) await scheduleIntegration(deps.queue, deps.intervalMs, Date.now() + deps.intervalMs);
  return result;
}

/**
 * The log's round for `askAgainIfWaiting`: entries wait and no sequencer is at work on them. Without it a
 * bench:capture run waited past 60 s for its last entries (no scheduler running): they had been committed while a
 * run of their slot was active.
 */
export function integrationRound(deps: {
  db: DataSource;
  queue: Queue;
  intervalMs: number;
  onError: (error: Error) => void;
}): AskedRound {
  return {
    waiting: async () => (await hasPendingLogEntries(deps.db.manager)) && !(await sequencerAtWork(deps.db)),
    // the next interval's run, which that interval's committers share: a run of this interval would only be
    // delayed to the same time (checkpoints an interval apart), and be one more job beside theirs
    askAgain: () => scheduleIntegration(deps.queue, deps.intervalMs, Date.now() + deps.intervalMs),
    onError: deps.onError,
  };
}
