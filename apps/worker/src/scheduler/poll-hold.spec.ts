import { HOLD_TICKS, MIN_POLL_HOLD, PollHold } from './poll-hold';

const LIMIT = 10_000;
const TICK_MS = 1_000;

describe('PollHold', () => {
  it('fills the queue to its limit without an earlier reading', () => {
    const room = new PollHold(LIMIT, TICK_MS).room({ queued: 2_000, active: 500, offeredTotal: 0, atMs: 0 });
    expect(room).toBe(7_500);
  });

  it('keeps a few ticks of what the workers took since the last tick', () => {
    const hold = new PollHold(LIMIT, TICK_MS);
    hold.room({ queued: 3_936, active: 64, offeredTotal: 40_000, atMs: 0 });
    // a second later: 1,300 were offered and 3,000 are left, so the workers took 4,000 + 1,300 − 3,000
    const room = hold.room({ queued: 2_936, active: 64, offeredTotal: 41_300, atMs: TICK_MS });
    expect(room).toBe(HOLD_TICKS * 2_300 - 2_936);
  });

  it('does not count jobs being run against the hold: slow polls keep every worker busy', () => {
    const hold = new PollHold(LIMIT, TICK_MS);
    hold.room({ queued: 0, active: 3_200, offeredTotal: 0, atMs: 0 });
    // 10 s polls on 3,200 slots: 320 a second leave, 960 over three ticks; the 2,880 running do not count
    expect(hold.room({ queued: 0, active: 2_880, offeredTotal: 0, atMs: TICK_MS })).toBe(
      Math.max(MIN_POLL_HOLD, HOLD_TICKS * 320),
    );
    const busy = new PollHold(LIMIT, TICK_MS);
    busy.room({ queued: 2_000, active: 3_200, offeredTotal: 0, atMs: 0 });
    expect(busy.room({ queued: 0, active: 3_200, offeredTotal: 0, atMs: TICK_MS })).toBe(HOLD_TICKS * 2_000);
  });

  it('keeps the last pace for a tick that came early (a push): a short span would exaggerate it', () => {
    const hold = new PollHold(LIMIT, TICK_MS);
    hold.room({ queued: 2_000, active: 0, offeredTotal: 0, atMs: 0 });
    // a regular tick: 500 taken in a second
    expect(hold.room({ queued: 1_500, active: 0, offeredTotal: 0, atMs: TICK_MS })).toBe(0);
    // 200 ms later a batch of 300 finished together: still 500 a second, 1,500 over three ticks
    expect(hold.room({ queued: 1_200, active: 0, offeredTotal: 0, atMs: 1_200 })).toBe(1_500 - 1_200);
    // the next regular tick measures from the last regular one: 700 taken in 1.1 s
    expect(hold.room({ queued: 800, active: 0, offeredTotal: 0, atMs: 2_100 })).toBe(
      Math.ceil((700 * HOLD_TICKS * 1_100) / 1_100) - 800,
    );
  });

  it('fills to the limit when an early tick comes before any pace was measured', () => {
    const hold = new PollHold(LIMIT, TICK_MS);
    hold.room({ queued: 1_000, active: 0, offeredTotal: 0, atMs: 0 });
    expect(hold.room({ queued: 600, active: 0, offeredTotal: 0, atMs: 200 })).toBe(LIMIT - 600);
  });

  it('keeps three gaps when ticks came further apart than the setting (a slow tick)', () => {
    const hold = new PollHold(LIMIT, TICK_MS);
    hold.room({ queued: 2_000, active: 0, offeredTotal: 0, atMs: 0 });
    // 1,000 taken over 2.5 s: 400 a second, kept for three gaps of 2.5 s
    expect(hold.room({ queued: 1_000, active: 0, offeredTotal: 0, atMs: 2_500 })).toBe(3_000 - 1_000);
  });

  it('keeps at least its floor, and never more than the limit in all', () => {
    const idle = new PollHold(LIMIT, TICK_MS);
    idle.room({ queued: 10, active: 0, offeredTotal: 0, atMs: 0 });
    // nothing taken (a paused queue): the floor
    expect(idle.room({ queued: 10, active: 0, offeredTotal: 0, atMs: TICK_MS })).toBe(MIN_POLL_HOLD - 10);
    const fast = new PollHold(LIMIT, TICK_MS);
    fast.room({ queued: 9_000, active: 0, offeredTotal: 0, atMs: 0 });
    expect(fast.room({ queued: 900, active: 100, offeredTotal: 0, atMs: TICK_MS })).toBe(LIMIT - 1_000);
    // a limit below the floor: the limit
    const small = new PollHold(100, TICK_MS);
    small.room({ queued: 0, active: 0, offeredTotal: 0, atMs: 0 });
    expect(small.room({ queued: 40, active: 0, offeredTotal: 0, atMs: TICK_MS })).toBe(60);
  });

  it("reads another scheduler's offers as offered, not as taken", () => {
    const hold = new PollHold(LIMIT, TICK_MS);
    hold.room({ queued: 3_000, active: 0, offeredTotal: 100, atMs: 0 });
    // another scheduler offered 2,000 and the workers took 1,500, so 500 more are held: without the shared
    // count that would read as nothing taken, and the hold would drop to its floor
    expect(hold.room({ queued: 3_500, active: 0, offeredTotal: 2_100, atMs: TICK_MS })).toBe(
      HOLD_TICKS * 1_500 - 3_500,
    );
  });

  it('fills to the limit again when the count went back (a flushed Redis) or the clock did not move', () => {
    const hold = new PollHold(LIMIT, TICK_MS);
    hold.room({ queued: 5_000, active: 0, offeredTotal: 9_000, atMs: 0 });
    expect(hold.room({ queued: 0, active: 0, offeredTotal: 0, atMs: TICK_MS })).toBe(LIMIT);
    expect(hold.room({ queued: 200, active: 0, offeredTotal: 0, atMs: TICK_MS })).toBe(LIMIT - 200);
  });

  it('adds nothing while the queue holds more than the pace needs', () => {
    const hold = new PollHold(LIMIT, TICK_MS);
    hold.room({ queued: 9_000, active: 0, offeredTotal: 0, atMs: 0 });
    expect(hold.room({ queued: 8_800, active: 0, offeredTotal: 0, atMs: TICK_MS })).toBe(0);
  });
});
