import { mapInSlices } from './cooperative';

describe('mapInSlices', () => {
  it('maps every item in order', async () => {
    const items = Array.from({ length: 1001 }, (_, i) => i);
    expect(await mapInSlices(items, (i) => i * 2, 100)).toEqual(items.map((i) => i * 2));
  });

  it('lets other work run between slices', async () => {
    const seen: string[] = [];
    setImmediate(() => seen.push('other work'));
    await mapInSlices([1, 2, 3, 4], (i) => seen.push(`item ${i}`), 2);
    expect(seen).toEqual(['item 1', 'item 2', 'other work', 'item 3', 'item 4']);
  });

  it('passes an error through', async () => {
    await expect(
      mapInSlices([1], () => {
        throw new Error('bad');
      }),
    ).rejects.toThrow('bad');
  });
});
