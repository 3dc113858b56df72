/**
 * A round of work run every `intervalMs` and on demand: overlapping calls share the round in progress, a failed
 * round is reported and the next one runs as usual, and `stop` waits for the round in progress.
 */
export class RepeatingRound {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly onError: (error: Error) => void,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.runOnce(), intervalMs);
    void this.runOnce();
  }

  runOnce(): Promise<void> {
    this.running ??= this.round()
      .catch((error: Error) => this.onError(error))
      .finally(() => (this.running = null));
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
