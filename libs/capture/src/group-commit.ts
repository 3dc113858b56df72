/**
 * How a batch closes: when it holds `maxSize` items; at once when no batch is being written (after the current
 * tick, so callers of the same tick share it); else when the batch being written commits, or `maxWaitMs` after
 * the item arrived, whichever comes first.
 */
export interface GroupCommitOptions {
  maxSize: number;
  maxWaitMs: number;
}

interface Waiting<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers work items handed in by concurrent callers into batches and writes each batch with one call; every
 * caller awaits its own item's result. A lone item on a quiet system is written at once; on a busy one the
 * items that arrive while a batch commits form the next batch, so many items pay for one commit.
 * `write` answers for every item of the batch, in order (a settled result each, so one item's error is its own).
 */
export class GroupCommit<T, R> {
  private waiting: Waiting<T, R>[] = [];
  private writing = 0;
  private immediate: NodeJS.Immediate | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly write: (items: T[]) => Promise<PromiseSettledResult<R>[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.waiting.length >= this.options.maxSize) this.flush();
      else if (this.writing === 0) this.immediate ??= setImmediate(() => this.flush());
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
    });
  }

  private flush(): void {
    if (this.immediate) clearImmediate(this.immediate);
    if (this.timer) clearTimeout(this.timer);
    this.immediate = null;
    this.timer = null;
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    this.writing++;
    this.write(batch.map((w) => w.item))
      .then(
        (results) =>
          batch.forEach((w, i) => {
            const result = results[i];
            if (result?.status === 'fulfilled') w.resolve(result.value);
            else
              w.reject(result ? result.reason : new Error('the batch writer gave no answer for this item'));
          }),
        (error: unknown) => batch.forEach((w) => w.reject(error)),
      )
      .finally(() => {
        this.writing--;
        // what gathered while this batch was written goes next
        if (this.waiting.length > 0) this.flush();
      });
  }
}
