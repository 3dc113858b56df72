import pLimit, { type Limit } from 'p-limit';
import { JobName, QueueName, type JobOf, type PollDue } from '@app/queues';
import { type PollOutcome } from '@app/capture';

/**
 * Runs a poll job's polls side by side, each written on its own, at most `pollsAtOnce` polls of all this worker's
 * jobs at once. The worker takes as many jobs as polls, so a job whose poll waits on a slow source holds its job
 * slot but none of the poll places its other polls have left: a slow host slows its own polls, not seven others.
 * Should a poll fail (the database away), the job fails once all its polls have ended, and its retry finds those
 * already written `stale`.
 */
export class PollJobRunner {
  private readonly inFlight: Limit;

  constructor(
    private readonly poll: (due: PollDue) => Promise<PollOutcome>,
    pollsAtOnce: number,
  ) {
    this.inFlight = pLimit(pollsAtOnce);
  }

  async run(name: string, data: JobOf<'poll-accounts'> | JobOf<'poll-account'>): Promise<PollOutcome[]> {
    // a job of one poll, as the scheduler made them before polls went in groups
    if (name === JobName.PollAccount) return [await this.inFlight(() => this.poll(data as PollDue))];
    if (name !== JobName.PollAccounts)
      throw new Error(`queue ${QueueName.Poll} has no handler for job "${name}"`);
    const { polls } = data as JobOf<'poll-accounts'>;
    const ended = await Promise.allSettled(polls.map((due) => this.inFlight(() => this.poll(due))));
    const failed = ended.find((end): end is PromiseRejectedResult => end.status === 'rejected');
    if (failed) throw failed.reason;
    return ended.map((end) => (end as PromiseFulfilledResult<PollOutcome>).value);
  }
}
