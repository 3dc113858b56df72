/** How a batch closes: when it holds `maxSize` items, or `maxWaitMs` after its first item arrived. */
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
 * caller awaits its own item's result. The short deadline bounds the wait: a lone item on a quiet system is
 * written within `maxWaitMs`, while a busy one fills batches and pays one commit per batch instead of per item.
 * `write` answers for every item of the batch, in order (a settled result each, so one item's error is its own).
 */
export class GroupCommit<T, R> {
  private waiting: Waiting<T, R>[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly write: (items: T[]) => Promise<PromiseSettledResult<R>[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.waiting.length >= this.options.maxSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    this.write(batch.map((w) => w.item)).then(
      (results) =>
        batch.forEach((w, i) => {
          const result = results[i];
          if (result?.status === 'fulfilled') w.resolve(result.value);
          else w.reject(result ? result.reason : new Error('the batch writer gave no answer for this item'));
        }),
      (error: unknown) => batch.forEach((w) => w.reject(error)),
    );
  }
}
