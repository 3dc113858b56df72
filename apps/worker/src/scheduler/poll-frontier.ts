import { type DueAccount, type DueFrontier } from '@app/persistence';

/**
 * Where the scheduler's next read of due polls resumes, host by host: just after the latest poll (by due time,
 * then id) it enqueued for each host under the queue's current epoch, so that a scheduler behind by thousands of
 * enqueued polls does not walk past them all again on every tick. Everything before that point was enqueued,
 * unless it moved there since (a poll brought forward, a new account, a recovered platform, a job lost for good):
 * a read from the start, every `fullReadEveryMs` and under a new epoch, offers those in their turn, and a host
 * whose polls were brought forward is read from the start at once (`startOver`). Only while the archive is behind: a caught-up one ranks every due account on every tick.
 */
export class PollFrontier {
  private readonly lastEnqueued = new Map<string, Pick<DueAccount, 'id' | 'dueAt'>>();
  private epoch: string | null = null;
  private fullReadAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly fullReadEveryMs: number) {}

  /**
   * Where this tick's read resumes; nothing when it reads from the start (and the frontier starts over). `now` is
   * a monotonic clock's milliseconds (`performance.now()`), so a wall clock set back cannot put off full reads.
   */
  resumeFrom(epoch: string, now: number): DueFrontier | undefined {
    const sinceFullRead = now - this.fullReadAt;
    if (epoch === this.epoch && sinceFullRead >= 0 && sinceFullRead < this.fullReadEveryMs)
      return this.lastEnqueued;
    this.epoch = epoch;
    this.fullReadAt = now;
    this.lastEnqueued.clear();
    return undefined;
  }

  /** The next reads of these hosts start from the beginning: their polls were just brought forward. */
  startOver(hosts: Iterable<string>): void {
    for (const host of hosts) this.lastEnqueued.delete(host);
  }

  /** Moves each host's point past the polls just enqueued (never back). */
  enqueued(polls: DueAccount[]): void {
    for (const { host, id, dueAt } of polls) {
      const last = this.lastEnqueued.get(host);
      const later = !last || dueAt > last.dueAt || (dueAt.getTime() === last.dueAt.getTime() && id > last.id);
      if (later) this.lastEnqueued.set(host, { id, dueAt });
    }
  }
}
