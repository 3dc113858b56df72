import { nextPollAfterFailure, nextPollAfterLocalOverload, nextPollAfterSuccess } from './poll-schedule';

const now = new Date('2026-01-01T12:00:00.000Z');
const policy = { retryBaseSeconds: 30, retryMaxSeconds: 3600 };
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();

describe('poll schedule', () => {
  it('keeps the rhythm when on time and never catches up in a burst when late', () => {
    expect(nextPollAfterSuccess(new Date(now.getTime() - 10_000), 60, now).toISOString()).toBe(at(50));
    expect(nextPollAfterSuccess(new Date(now.getTime() - 600_000), 60, now).toISOString()).toBe(at(60));
  });

  it('backs off exponentially between the interval and the maximum', () => {
    expect(nextPollAfterFailure(1, 60, policy, null, now).toISOString()).toBe(at(60));
    expect(nextPollAfterFailure(3, 60, policy, null, now).toISOString()).toBe(at(120));
    expect(nextPollAfterFailure(4, 60, policy, null, now).toISOString()).toBe(at(240));
    expect(nextPollAfterFailure(40, 60, policy, null, now).toISOString()).toBe(at(3600));
  });

  it('never waits longer than the maximum, whatever the platform asked for', () => {
    const centuries = new Date(now.getTime() + 3_000_000_000 * 1000);
    expect(nextPollAfterFailure(1, 60, policy, centuries, now).toISOString()).toBe(at(3600));
  });

  it('comes back when the platform said to', () => {
    expect(nextPollAfterFailure(1, 60, policy, new Date(now.getTime() + 900_000), now).toISOString()).toBe(
      at(900),
    );
    expect(nextPollAfterFailure(2, 60, policy, new Date(now.getTime() - 1000), now).toISOString()).toBe(
      at(60),
    );
  });

  it('tries a poll our own load refused again soon, at a random moment within 30 s or the interval', () => {
    expect(nextPollAfterLocalOverload(60, null, now, () => 0).toISOString()).toBe(at(5));
    expect(nextPollAfterLocalOverload(60, null, now, () => 1).toISOString()).toBe(at(30));
    expect(nextPollAfterLocalOverload(10, null, now, () => 1).toISOString()).toBe(at(10));
    expect(nextPollAfterLocalOverload(3600, null, now, () => 0.5).toISOString()).toBe(at(17.5));
    // an interval shorter than the soonest retry: within it
    expect(nextPollAfterLocalOverload(3, null, now, () => 0).toISOString()).toBe(at(1.5));
    expect(nextPollAfterLocalOverload(3, null, now, () => 1).toISOString()).toBe(at(3));
  });

  it('waits longer the longer an account has been deferred, but never past its interval', () => {
    const deferredFor = (seconds: number) => new Date(now.getTime() - seconds * 1000);
    // deferred for 2 minutes: between 1 and 2 minutes
    expect(nextPollAfterLocalOverload(3600, deferredFor(120), now, () => 0).toISOString()).toBe(at(60));
    expect(nextPollAfterLocalOverload(3600, deferredFor(120), now, () => 1).toISOString()).toBe(at(120));
    // deferred for 2 hours, polled hourly: between half an hour and an hour
    expect(nextPollAfterLocalOverload(3600, deferredFor(7200), now, () => 0).toISOString()).toBe(at(1800));
    expect(nextPollAfterLocalOverload(3600, deferredFor(7200), now, () => 1).toISOString()).toBe(at(3600));
    // a short deferral waits as a first one does
    expect(nextPollAfterLocalOverload(60, deferredFor(8), now, () => 0).toISOString()).toBe(at(5));
    expect(nextPollAfterLocalOverload(60, deferredFor(8), now, () => 1).toISOString()).toBe(at(30));
    // a mark from a clock ahead of ours counts as no deferral yet
    expect(nextPollAfterLocalOverload(60, deferredFor(-600), now, () => 1).toISOString()).toBe(at(30));
  });

  it('spaces retries so that a lasting overload adds few polls', () => {
    // every retry at the soonest moment its window allows, then every one at the latest: the tries in an hour
    const triesInAnHour = (intervalSeconds: number, random: () => number) => {
      let at = now;
      let tries = 0;
      while (at.getTime() - now.getTime() < 3_600_000) {
        at = nextPollAfterLocalOverload(intervalSeconds, now, at, random);
        tries++;
      }
      return tries;
    };
    // without backoff, 5–30 s apart: 120 to 720 tries in the hour. With it, each wait is at least half the time
    // deferred so far (the time grows by half each try) until it reaches half the interval
    expect([triesInAnHour(3600, () => 0), triesInAnHour(3600, () => 1)]).toEqual([17, 8]);
    expect([triesInAnHour(300, () => 0), triesInAnHour(300, () => 1)]).toEqual([33, 16]);
    // at worst twice as often as the account is polled
    expect(triesInAnHour(60, () => 0)).toBeLessThanOrEqual(2 * 60 + 5);
  });
});
