import { retryAtFromHeaders } from './response-errors';

const REMAINING_HEADERS = ['x-ratelimit-remaining', 'ratelimit-remaining', 'x-rate-limit-remaining'];

/**
 * Remembers, per host, the time before which the platform asked us not to come back. Every wait is clamped
 * to `maxSeconds`, and a remembered wait never outlives it (even if the clock steps back).
 */
export class HostRateLimits {
  private readonly notBefore = new Map<string, { until: number; learnedAt: number }>();

  constructor(
    private readonly now: () => number,
    private readonly maxSeconds: number,
  ) {}

  /** The time the host may be asked again, or null when it may be asked now. */
  blockedUntil(host: string): Date | null {
    const entry = this.notBefore.get(host);
    if (entry === undefined) return null;
    const now = this.now();
    const expired =
      entry.until <= now || now - entry.learnedAt >= this.maxSeconds * 1000 || now < entry.learnedAt;
    if (expired) {
      this.notBefore.delete(host);
      return null;
    }
    return new Date(Math.min(entry.until, now + this.maxSeconds * 1000));
  }

  /**
   * Learns from a response: a 429 or 503 saying when to retry, or a response saying no requests remain
   * in the window and when the window resets.
   */
  observe(host: string, status: number, headers: Record<string, string>): Date | null {
    const now = this.now();
    const retryAt = retryAtFromHeaders(headers, new Date(now), this.maxSeconds);
    const limited = status === 429 || status === 503;
    const exhausted = REMAINING_HEADERS.some((name) => headers[name]?.trim() === '0');
    if ((limited || exhausted) && retryAt && retryAt.getTime() > now) {
      this.notBefore.set(host, { until: retryAt.getTime(), learnedAt: now });
    }
    return retryAt;
  }
}
