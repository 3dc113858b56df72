import { isDelivered, nextAttemptAt, shouldDisable } from './retry-policy';

const now = new Date('2026-01-01T00:00:00Z');
const after = (date: Date) => (date.getTime() - now.getTime()) / 1000;

describe('webhook retry policy', () => {
  it('grows fivefold from the base, without jitter at the midpoint', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4].map((n) => after(nextAttemptAt(n, 5, now, mid)))).toEqual([5, 25, 125, 625]);
  });

  it('spans most of a day in eight attempts, the ninth past the day that disables, never waiting over 12 hours', () => {
    const mid = () => 0.5;
    const waits = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => after(nextAttemptAt(n, 5, now, mid)));
    const eighth = waits.slice(0, 7).reduce((sum, s) => sum + s, 0);
    expect(eighth).toBeGreaterThan(12 * 3600);
    expect(eighth).toBeLessThan(24 * 3600);
    expect(eighth + waits[7]).toBeGreaterThan(24 * 3600);
    expect(after(nextAttemptAt(30, 5, now, mid))).toBe(12 * 3600);
  });

  it('jitters within ±20%', () => {
    expect(after(nextAttemptAt(2, 5, now, () => 0))).toBe(20);
    expect(after(nextAttemptAt(2, 5, now, () => 0.999999))).toBeCloseTo(30, 0);
  });

  it('disables after a day of failures', () => {
    expect(shouldDisable(new Date(now.getTime() - 23 * 3600_000), now)).toBe(false);
    expect(shouldDisable(new Date(now.getTime() - 24 * 3600_000), now)).toBe(true);
  });

  it('counts only 2xx as delivered', () => {
    expect([200, 204, 299].every(isDelivered)).toBe(true);
    expect([199, 301, 302, 400, 500].some(isDelivered)).toBe(false);
  });
});
