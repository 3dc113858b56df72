import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import pLimit, { type Limit } from 'p-limit';
import { JobName, QueueName, type JobOf, type PollDue } from '@app/queues';
import { type PollOutcome } from '@app/capture';
import { POLL_JOB_SPREAD_MS } from '../scheduler/poll-jobs';

/**
 * Runs a poll job's polls side by side, each written on its own, at most `pollsAtOnce` polls of all this worker's
 * jobs at once. The worker takes as many jobs as polls, so a job whose poll waits on a slow source holds its job
 * slot but none of the poll places its other polls have left: a slow host slows its own polls, not seven others.
 * A job starts when its first poll is due; each other poll waits for its own due time (at most the job's spread),
 * as a poll run early would meet a host's rate limit, or a month's read budget, that ends at that time. Should a
 * poll fail (the database away), the job fails once all its polls have ended, and its retry finds those already
 * written `stale`.
 */
export class PollJobRunner {
  private readonly logger = new Logger(PollJobRunner.name);
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
    const ended = await Promise.allSettled(polls.map((due) => this.whenDue(due)));
    const failed = ended.flatMap((end, i) => (end.status === 'rejected' ? [{ due: polls[i], end }] : []));
    for (const { due, end } of failed)
      this.logger.warn(`poll of account ${due.accountId} due ${due.dueAt} failed: ${String(end.reason)}`);
    if (failed.length > 0) throw failed[0].end.reason;
    return ended.map((end) => (end as PromiseFulfilledResult<PollOutcome>).value);
  }

  private async whenDue(due: PollDue): Promise<PollOutcome> {
    // never longer than a job's spread: a worker whose clock runs behind the scheduler's would wait its lag on
    // every poll
    const wait = Math.min(Date.parse(due.dueAt) - Date.now(), POLL_JOB_SPREAD_MS);
    if (wait > 0) await sleep(wait);
    return this.inFlight(() => this.poll(due));
  }
}
