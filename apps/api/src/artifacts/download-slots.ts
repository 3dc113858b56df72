/** Gives back a slot taken with `DownloadSlots.take`. */
export type ReleaseSlot = () => void;

/**
 * A counting semaphore with a bounded wait: at most `capacity` holders at once; others queue in order and
 * give up after `maxWaitMs` (null), so a burst of downloads queues briefly instead of piling up.
 */
export class DownloadSlots {
  private inUse = 0;
  private readonly waiting: Array<(release: ReleaseSlot) => void> = [];

  constructor(
    readonly capacity: number,
    private readonly maxWaitMs: number,
  ) {}

  get active(): number {
    return this.inUse;
  }

  get queued(): number {
    return this.waiting.length;
  }

  take(): Promise<ReleaseSlot | null> {
    if (this.inUse < this.capacity) {
      this.inUse++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => {
      const grant = (release: ReleaseSlot) => {
        clearTimeout(timer);
        resolve(release);
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(grant), 1);
        resolve(null);
      }, this.maxWaitMs);
      this.waiting.push(grant);
    });
  }

  /** A release that works once: the slot passes straight to the next waiter, or is freed. */
  private releaser(): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next(this.releaser());
      else this.inUse--;
    };
  }
}
