import { type DueAccount } from '@app/persistence';
import { JobName, jobIds, type JobOf } from '@app/queues';

/**
 * Polls one job carries at most. Each BullMQ job costs Redis a script to start it and one to finish it, and the
 * worker their round trips: most polls find nothing new, and a quiet poll of its own was mostly that cost
 * (`npm run bench:capture -- quiet`: 0.39–0.45× the no-op drain of one-poll jobs with one poll a job, 0.64–0.67×
 * with eight).
 */
export const POLLS_PER_JOB = 8;
/**
 * Polls not yet due go in one job only when due within this of its first: the job starts when its first poll is
 * due, and each other poll waits in it for its own due time (`PollJobRunner`), never started early.
 */
export const POLL_JOB_SPREAD_MS = 250;

export interface PollJob {
  name: typeof JobName.PollAccounts;
  data: JobOf<typeof JobName.PollAccounts>;
  opts: { jobId: string; delay: number };
  /** the polls the job carries, as the scheduler read them */
  polls: DueAccount[];
}

/**
 * The jobs that carry `due` polls, at most `maxJobs` of them (the queue's room): polls already due in the order
 * given (the scheduler's turns across hosts), up to `POLLS_PER_JOB` a job, then polls still to come by due time,
 * each job's due within `POLL_JOB_SPREAD_MS` of its first. Past `maxJobs` the polls still to come are left out
 * first; a poll left out stays due for the next tick.
 */
export function pollJobs(due: DueAccount[], now: Date, maxJobs: number): PollJob[] {
  const groups: DueAccount[][] = [];
  const overdue = due.filter((poll) => poll.dueAt.getTime() <= now.getTime());
  for (let i = 0; i < overdue.length; i += POLLS_PER_JOB) groups.push(overdue.slice(i, i + POLLS_PER_JOB));
  const coming = due
    .filter((poll) => poll.dueAt.getTime() > now.getTime())
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  let open: DueAccount[] | null = null;
  for (const poll of coming) {
    if (
      !open ||
      open.length >= POLLS_PER_JOB ||
      poll.dueAt.getTime() - open[0].dueAt.getTime() > POLL_JOB_SPREAD_MS
    )
      groups.push((open = []));
    open.push(poll);
  }
  return groups.slice(0, Math.max(0, maxJobs)).map((polls) => ({
    name: JobName.PollAccounts,
    data: { polls: polls.map(({ id, dueAt }) => ({ accountId: id, dueAt: dueAt.toISOString() })) },
    opts: { jobId: jobIds.polls(polls), delay: Math.max(0, polls[0].dueAt.getTime() - now.getTime()) },
    polls,
  }));
}
