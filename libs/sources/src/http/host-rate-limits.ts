import { retryAtFromHeaders } from './response-errors';

const REMAINING_HEADERS = ['x-ratelimit-remaining', 'ratelimit-remaining', 'x-rate-limit-remaining'];

/** Remembers, per host, the time before which the platform asked us not to come back. */
export class HostRateLimits {
  private readonly notBefore = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /** The time the host may be asked again, or null when it may be asked now. */
  blockedUntil(host: string): Date | null {
    const until = this.notBefore.get(host);
    if (until === undefined) return null;
    if (until > this.now()) return new Date(until);
    this.notBefore.delete(host);
    return null;
  }

  /**
   * Learns from a response: a 429 or 503 saying when to retry, or a response saying no requests remain
   * in the window and when the window resets.
   */
  observe(host: string, status: number, headers: Record<string, string>): void {
    const limited = status === 429 || status === 503;
    const exhausted = REMAINING_HEADERS.some((name) => headers[name]?.trim() === '0');
    if (!limited && !exhausted) return;
    const retryAt = retryAtFromHeaders(headers, new Date(this.now()));
    if (retryAt && retryAt.getTime() > this.now()) this.notBefore.set(host, retryAt.getTime());
  }
}
