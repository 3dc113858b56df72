import { DownloadSlots } from './download-slots';

describe('DownloadSlots', () => {
  afterEach(() => jest.useRealTimers());

  it('lets `capacity` holders in and queues the next, which gets the slot a holder gives back', async () => {
    const slots = new DownloadSlots(2, 60_000);
    const first = await slots.take();
    const second = await slots.take();
    let third: (() => void) | null | undefined;
    void slots.take().then((release) => (third = release));
    await Promise.resolve();
    expect(slots.active).toBe(2);
    expect(slots.queued).toBe(1);
    expect(third).toBeUndefined();

    first!();
    first!(); // twice is once
    await Promise.resolve();
    expect(third).toEqual(expect.any(Function));
    expect(slots.active).toBe(2);
    second!();
    third!();
    expect(slots.active).toBe(0);
  });

  it('gives up a wait after maxWaitMs, leaving the queue empty', async () => {
    jest.useFakeTimers();
    const slots = new DownloadSlots(1, 10_000);
    const held = await slots.take();
    const waiting = slots.take();
    jest.advanceTimersByTime(10_000);

    expect(await waiting).toBeNull();
    expect(slots.queued).toBe(0);
    held!();
    expect(slots.active).toBe(0);
  });
});
