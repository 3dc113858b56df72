import { GroupCommit } from './group-commit';

/** A batch writer whose batches the test completes by hand, so no test depends on timing. */
function controlledWriter() {
  const batches: { items: number[]; finish: () => void; fail: (error: Error) => void }[] = [];
  const write = (items: number[]) =>
    new Promise<PromiseSettledResult<string>[]>((resolve, reject) => {
      batches.push({
        items,
        finish: () =>
          resolve(
            items.map((n) =>
              n < 0
                ? { status: 'rejected', reason: new Error(`item ${n} refused`) }
                : { status: 'fulfilled', value: `wrote ${n}` },
            ),
          ),
        fail: reject,
      });
    });
  return { batches, write };
}

/** Lets setImmediate callbacks and settled promises run. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  // a deadline far beyond any test: batches close on size or on the previous batch's commit
  const options = { maxSize: 3, maxWaitMs: 60_000 };

  it('writes the items of one tick as one batch, each caller getting its own result', async () => {
    const { batches, write } = controlledWriter();
    const group = new GroupCommit(write, { ...options, maxSize: 10 });
    const results = Promise.all([1, 2, 3].map((n) => group.submit(n)));
    await turn();
    expect(batches.map((b) => b.items)).toEqual([[1, 2, 3]]);
    batches[0].finish();
    expect(await results).toEqual(['wrote 1', 'wrote 2', 'wrote 3']);
  });

  it('closes a batch at its size, and gathers what arrives during a write into the next batch', async () => {
    const { batches, write } = controlledWriter();
    const group = new GroupCommit(write, options);
    const first = [1, 2, 3].map((n) => group.submit(n));
    // closed on size, before the tick ends
    expect(batches.map((b) => b.items)).toEqual([[1, 2, 3]]);
    const second = [4, 5].map((n) => group.submit(n));
    await turn();
    // 4 and 5 wait for the batch being written
    expect(batches).toHaveLength(1);
    batches[0].finish();
    await turn();
    expect(batches.map((b) => b.items)).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    // a full batch does not wait for the one being written
    const third = [6, 7, 8].map((n) => group.submit(n));
    expect(batches.map((b) => b.items)[2]).toEqual([6, 7, 8]);
    batches[1].finish();
    batches[2].finish();
    expect(await Promise.all([...first, ...second, ...third])).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `wrote ${n}`),
    );
  });

  it('rejects only the item the writer refused, and every item of a batch whose write failed', async () => {
    const { batches, write } = controlledWriter();
    const group = new GroupCommit(write, { ...options, maxSize: 10 });
    const mixed = [7, -1, 8].map((n) => group.submit(n).catch((error: Error) => error.message));
    await turn();
    batches[0].finish();
    expect(await Promise.all(mixed)).toEqual(['wrote 7', 'item -1 refused', 'wrote 8']);

    const doomed = [9, 10].map((n) => group.submit(n).catch((error: Error) => error.message));
    await turn();
    batches[1].fail(new Error('database away'));
    expect(await Promise.all(doomed)).toEqual(['database away', 'database away']);
  });
});
