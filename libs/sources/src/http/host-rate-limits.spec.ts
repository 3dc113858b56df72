import { HostRateLimits } from './host-rate-limits';

describe('HostRateLimits', () => {
  const start = Date.parse('2026-01-01T00:00:00Z');

  it('remembers a 429 wait clamped to the maximum, and forgets it when the clamp ends', () => {
    let now = start;
    const limits = new HostRateLimits(() => now, 300);

    const retryAt = limits.observe('feeds.example.org', 429, { 'retry-after': '3000000000' });

    expect(retryAt).toEqual(new Date(start + 300_000));
    expect(limits.blockedUntil('feeds.example.org')).toEqual(new Date(start + 300_000));
    expect(limits.blockedUntil('other.example.org')).toBeNull();
    now = start + 299_999;
    expect(limits.blockedUntil('feeds.example.org')).not.toBeNull();
    now = start + 300_000;
    expect(limits.blockedUntil('feeds.example.org')).toBeNull();
  });

  it('forgets a wait when the clock steps back, instead of stretching it', () => {
    let now = start;
    const limits = new HostRateLimits(() => now, 300);
    limits.observe('h', 429, { 'retry-after': '200' });

    now = start - 86_400_000;

    expect(limits.blockedUntil('h')).toBeNull();
  });

  it('only remembers waits from 429, 503 or an exhausted window', () => {
    const limits = new HostRateLimits(() => start, 300);
    limits.observe('ok', 200, { 'retry-after': '60' });
    limits.observe('remaining', 200, { 'x-ratelimit-remaining': '5', 'ratelimit-reset': '60' });
    limits.observe('exhausted', 200, { 'x-ratelimit-remaining': '0', 'ratelimit-reset': '60' });

    expect(limits.blockedUntil('ok')).toBeNull();
    expect(limits.blockedUntil('remaining')).toBeNull();
    expect(limits.blockedUntil('exhausted')).toEqual(new Date(start + 60_000));
  });

  it.each(['NaN', '-1', 'Sat, 01 Jan 275761 00:00:00 GMT', '9'.repeat(400)])(
    'never throws on Retry-After %s',
    (value) => {
      const limits = new HostRateLimits(() => start, 300);
      expect(() => limits.observe('h', 429, { 'retry-after': value })).not.toThrow();
      const until = limits.blockedUntil('h');
      expect(until === null || until.getTime() <= start + 300_000).toBe(true);
    },
  );
});
