import { nextCheckAt, type RecheckPolicy } from './recheck-schedule';

const POLICY: RecheckPolicy = { fraction: 0.2, minSeconds: 60, maxSeconds: 7 * 86_400, horizonDays: 90 };
const P = new Date('2025-01-01T00:00:00.000Z');
const S = 1000;
const DAY = 86_400 * S;
const after = (ms: number) => new Date(P.getTime() + ms);
const gapAfter = (ageMs: number) => nextCheckAt(POLICY, P, after(ageMs))!.getTime() - after(ageMs).getTime();

describe('nextCheckAt', () => {
  it('is due when the time since the check reaches the fraction of the age at that moment', () => {
    const checked = after(1 * DAY);
    const next = nextCheckAt(POLICY, P, checked)!;
    const sinceCheck = next.getTime() - checked.getTime();
    const ageThen = next.getTime() - P.getTime();
    expect(sinceCheck / ageThen).toBeCloseTo(0.2, 6);
    expect(sinceCheck).toBe(DAY / 4);
  });

  it('never checks sooner than the minimum', () => {
    expect(gapAfter(0)).toBe(60 * S);
    expect(gapAfter(10 * S)).toBe(60 * S);
    expect(gapAfter(239 * S)).toBe(60 * S);
    expect(gapAfter(400 * S)).toBe(100 * S);
  });

  it('never waits longer than the maximum', () => {
    expect(gapAfter(28 * DAY)).toBe(7 * DAY);
    expect(gapAfter(60 * DAY)).toBe(7 * DAY);
  });

  it('treats a publication time in the future as age zero', () => {
    expect(nextCheckAt(POLICY, after(DAY), P)).toEqual(new Date(P.getTime() + 60 * S));
  });

  it('replaces checks beyond the horizon by one check at a year, then stops', () => {
    const lastRegular = nextCheckAt(POLICY, P, after(85 * DAY))!;
    expect(lastRegular).toEqual(after(90 * DAY));
    expect(nextCheckAt(POLICY, P, after(88 * DAY))).toEqual(after(90 * DAY));
    expect(nextCheckAt(POLICY, P, after(90 * DAY))).toEqual(after(365 * DAY));
    expect(nextCheckAt(POLICY, P, after(200 * DAY))).toEqual(after(365 * DAY));
    expect(nextCheckAt(POLICY, P, after(365 * DAY))).toBeNull();
    expect(nextCheckAt(POLICY, P, after(400 * DAY))).toBeNull();
  });

  it('after a late check at a year, a check that came late still waits the minimum', () => {
    expect(nextCheckAt(POLICY, P, after(365 * DAY - S))).toEqual(after(365 * DAY - S + 60 * S));
  });

  it('makes a finite, decaying series that ends', () => {
    const checks: Date[] = [];
    for (let t: Date | null = P; t !== null; t = nextCheckAt(POLICY, P, t)) checks.push(t);
    expect(checks.length).toBeGreaterThan(20);
    expect(checks.length).toBeLessThan(100);
    expect(checks.slice(-2)).toEqual([after(90 * DAY), after(365 * DAY)]);
    // intervals grow until the check at the horizon (which may come sooner) and the late one
    for (let i = 2; i < checks.length - 2; i++) {
      expect(checks[i].getTime() - checks[i - 1].getTime()).toBeGreaterThanOrEqual(
        checks[i - 1].getTime() - checks[Math.max(0, i - 2)].getTime(),
      );
    }
  });
});
