import { useTestDatabase } from '@app/testing/test-database';
import { packBytes } from './packed-bytes';

describe('packBytes (cut apart again by PostgreSQL)', () => {
  const database = useTestDatabase();

  it('gives back every part byte for byte, empty parts and an empty list included', async () => {
    const parts = [
      Buffer.from('{"v":1}'),
      Buffer.alloc(0),
      Buffer.from([0, 255, 0x5c, 0x27, 0x22]),
      Buffer.alloc(70_000, 7),
      Buffer.alloc(0),
    ];
    const cut = async (of: Buffer[]) => {
      const { packed, offsets, lengths } = packBytes(of);
      const rows: { part: Buffer }[] = await database.db.query(
        `SELECT substring($1::bytea FROM o + 1 FOR n) AS part
         FROM unnest($2::int[], $3::int[]) WITH ORDINALITY AS p(o, n, k) ORDER BY k`,
        [packed, offsets, lengths],
      );
      return rows.map((r) => r.part);
    };
    const back = await cut(parts);
    expect(back).toHaveLength(parts.length);
    back.forEach((part, i) => expect(part.equals(parts[i])).toBe(true));
    expect(await cut([])).toEqual([]);
    expect(packBytes(parts).packed.length).toBe(70_012);
  });
});
