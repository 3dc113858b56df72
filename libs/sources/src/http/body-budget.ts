/**
 * The bytes of response bodies one client may be receiving at once, across all its requests. Polls run
 * concurrently and each may be sent a body of up to the per-request limit; a source that dribbles a large body
 * holds its bytes for as long as it takes. With a shared bound, many such sources at once cost a bounded amount of
 * memory while their bodies arrive: a request that would go over it is failed instead of read (its caller decides
 * whether and when to try again). A body already received is its caller's, and no longer counted.
 */
export class BodyBudget {
  private held = 0;

  constructor(readonly limit: number) {}

  /**
   * Whether a request may be sent at all: not while less than an eighth of the bound (or one largest body, if
   * smaller) is left. Its body may still not fit once announced; this only spares the sources requests whose
   * answers we would very likely not read.
   */
  admits(largestBody: number): boolean {
    return this.held + Math.min(largestBody, this.limit / 8) <= this.limit;
  }

  /** Takes `bytes` and answers true, or takes nothing and answers false when they would go over the limit. */
  take(bytes: number): boolean {
    if (this.held + bytes > this.limit) return false;
    this.held += bytes;
    return true;
  }

  give(bytes: number): void {
    if (bytes > this.held) throw new Error(`gave back ${bytes} bytes of the ${this.held} taken`);
    this.held -= bytes;
  }

  get inUse(): number {
    return this.held;
  }
}
