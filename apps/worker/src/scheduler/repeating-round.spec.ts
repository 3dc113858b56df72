import { RepeatingRound } from './repeating-round';

/** A round that finishes when the test says so. */
function controlledRound() {
  const finishers: (() => void)[] = [];
  let started = 0;
  const round = () =>
    new Promise<void>((resolve) => {
      started += 1;
      finishers.push(resolve);
    });
  return { round, finishNext: () => finishers.shift()?.(), started: () => started };
}

describe('RepeatingRound', () => {
  it('shares the round in progress between overlapping calls, and starts a new one after it', async () => {
    const c = controlledRound();
    const rounds = new RepeatingRound(c.round, () => undefined);
    const first = rounds.runOnce();
    expect(rounds.runOnce()).toBe(first);
    expect(c.started()).toBe(1);
    c.finishNext();
    await first;
    const second = rounds.runOnce();
    expect(second).not.toBe(first);
    expect(c.started()).toBe(2);
    c.finishNext();
    await second;
  });

  it('reports a failed round and runs the next one as usual', async () => {
    const errors: string[] = [];
    let calls = 0;
    const rounds = new RepeatingRound(
      () => (++calls === 1 ? Promise.reject(new Error('database away')) : Promise.resolve()),
      (error) => errors.push(error.message),
    );
    await rounds.runOnce();
    await rounds.runOnce();
    expect(errors).toEqual(['database away']);
    expect(calls).toBe(2);
  });

  it('stop waits for the round in progress', async () => {
    const c = controlledRound();
    const rounds = new RepeatingRound(c.round, () => undefined);
    rounds.start(60_000);
    let stopped = false;
    const stopping = rounds.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    c.finishNext();
    await stopping;
    expect(stopped).toBe(true);
    expect(c.started()).toBe(1);
  });
});
