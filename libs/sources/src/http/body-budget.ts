/**
 * The share of the bound one host may hold. A host that announces large bodies and then stalls holds what it
 * announced until its deadline; with a share, one such host (or one busy instance in a catch-up burst) leaves
 * the rest of the bound to the others.
 */
export const HOST_SHARE = 1 / 4;

/** What `take` did: took the bytes, or refused them for the whole process's bound or for the host's share. */
export type BodyTake = 'taken' | 'process-full' | 'host-full';

/**
 * The bytes of response bodies one client may be receiving at once, across all its requests. Polls run
 * concurrently and each may be sent a body of up to the per-request limit; a source that dribbles a large body
 * holds its bytes for as long as it takes. With a shared bound, many such sources at once cost a bounded amount of
 * memory while their bodies arrive: a request that would go over it is failed instead of read (its caller decides
 * whether and when to try again). A body already received is its caller's, and no longer counted. One host holds
 * at most HOST_SHARE of the bound, and never less than one body of the per-request limit.
 */
export class BodyBudget {
  private held = 0;
  private readonly byHost = new Map<string, number>();
  readonly hostLimit: number;

  constructor(
    readonly limit: number,
    /** the largest body one request may be sent: a host can always be receiving one */
    largestBody = 0,
  ) {
    this.hostLimit = Math.min(limit, Math.max(largestBody, Math.floor(limit * HOST_SHARE)));
  }

  /**
   * Whether a request to `host` may be sent at all: not when the bound, or the host's share, has less room left
   * than an eighth of it (or one largest body, if smaller). Its body may still not fit once announced; this only
   * spares a source requests whose answers we would very likely not read.
   */
  admits(host: string, largestBody: number): Exclude<BodyTake, 'taken'> | null {
    if (this.held + Math.min(largestBody, this.limit / 8) > this.limit) return 'process-full';
    const ofHost = this.byHost.get(host) ?? 0;
    if (ofHost + Math.min(largestBody, this.hostLimit / 8) > this.hostLimit) return 'host-full';
    return null;
  }

  /** Takes `bytes` for `host`, or takes nothing and says which bound they would go over. */
  take(host: string, bytes: number): BodyTake {
    if (this.held + bytes > this.limit) return 'process-full';
    const ofHost = this.byHost.get(host) ?? 0;
    if (ofHost + bytes > this.hostLimit) return 'host-full';
    this.held += bytes;
    this.byHost.set(host, ofHost + bytes);
    return 'taken';
  }

  give(host: string, bytes: number): void {
    const ofHost = this.byHost.get(host) ?? 0;
    if (bytes > ofHost) throw new Error(`gave back ${bytes} bytes of the ${ofHost} taken for ${host}`);
    this.held -= bytes;
    if (ofHost === bytes) this.byHost.delete(host);
    else this.byHost.set(host, ofHost - bytes);
  }

  get inUse(): number {
    return this.held;
  }
}
