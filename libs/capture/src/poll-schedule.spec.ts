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
    expect(nextPollAfterLocalOverload(60, now, () => 0).toISOString()).toBe(at(5));
    expect(nextPollAfterLocalOverload(60, now, () => 1).toISOString()).toBe(at(30));
    expect(nextPollAfterLocalOverload(10, now, () => 1).toISOString()).toBe(at(10));
    expect(nextPollAfterLocalOverload(3600, now, () => 0.5).toISOString()).toBe(at(17.5));
    expect(nextPollAfterLocalOverload(3, now, () => 0.5).toISOString()).toBe(at(3));
  });
});
