import { POLLS_PER_JOB } from './poll-jobs';

/** Jobs not yet started are kept for this many ticks of the workers' measured pace. */
export const HOLD_TICKS = 3;
/**
 * At least this many jobs not yet started (the limit permitting), 1,000 polls: a burst after a quiet spell starts
 * from here.
 */
export const MIN_POLL_HOLD = Math.ceil(1_000 / POLLS_PER_JOB);

/** The poll queue as one scheduler tick reads it. */
export interface PollQueueReading {
  /** jobs no worker has started yet (waiting, paused, prioritized, delayed) */
  queued: number;
  /** jobs workers are running */
  active: number;
  /**
   * poll jobs every scheduler has offered so far, by a counter kept in Redis beside the jobs. An offer whose job
   * was already in the queue counts too: that error only raises the hold, towards the limit.
   */
  offeredTotal: number;
  /** a monotonic clock's milliseconds (`performance.now()`) */
  atMs: number;
}

/**
 * How many poll jobs to add in a tick. Every job Redis holds is still due in PostgreSQL, so each tick's due read
 * walks past all of them to reach the polls it may offer: a scheduler behind on its polls that kept the queue full
 * to its limit (10,000 by default) walked 10,000 accounts a tick to offer the ~1,300 the workers took. So the
 * jobs not yet started are kept to what the workers took from the queue since the last tick, at that pace, for
 * `HOLD_TICKS` ticks (or gaps between ticks, when a slow tick made them longer); at least `MIN_POLL_HOLD`, and
 * never more than the queue's limit in all. Jobs being run do not count against it, so slow polls still keep every
 * worker busy. A caught-up archive holds about one tick of polls (the next tick's, delayed to their due times),
 * under this bound.
 *
 * The pace counts every scheduler's offers (the shared counter), so several schedulers ticking at once do not read
 * each other's jobs as jobs nobody took. Without an earlier reading (the first tick, a flushed Redis) it fills the
 * queue to the limit.
 */
export class PollHold {
  private previous: PollQueueReading | null = null;
  /** the jobs taken over a span of at least half a tick, as last measured */
  private pace: { taken: number; spanMs: number } | null = null;

  constructor(
    private readonly limit: number,
    private readonly tickMs: number,
  ) {}

  /** The jobs to add now (before any other bound), from this tick's reading. */
  room(now: PollQueueReading): number {
    const held = now.queued + now.active;
    const underLimit = Math.max(0, this.limit - held);
    const before = this.previous;
    if (!before || now.offeredTotal < before.offeredTotal || now.atMs <= before.atMs) {
      this.previous = now;
      this.pace = null;
      return underLimit;
    }
    const spanMs = now.atMs - before.atMs;
    // A tick soon after the last (a push asks for one as often as every 200 ms) measures a span in which one batch
    // of polls finishing together reads as many times the real pace: such a tick keeps the last pace, and the
    // reading it was measured from, until half a tick has passed.
    if (spanMs >= this.tickMs / 2) {
      // the jobs that left the queue since the last reading: finished, failed or found stale
      const taken = Math.max(
        0,
        before.queued + before.active + (now.offeredTotal - before.offeredTotal) - held,
      );
      this.pace = { taken, spanMs };
      this.previous = now;
    }
    if (!this.pace) return underLimit;
    const aheadMs = HOLD_TICKS * Math.max(this.tickMs, this.pace.spanMs);
    const ahead = Math.ceil((this.pace.taken * aheadMs) / this.pace.spanMs);
    return Math.min(underLimit, Math.max(0, Math.max(MIN_POLL_HOLD, ahead) - now.queued));
  }
}
