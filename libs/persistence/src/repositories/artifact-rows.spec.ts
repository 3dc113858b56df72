import { randomBytes } from 'node:crypto';
import { sha256Hex } from '@app/core';
import { useTestDatabase } from '@app/testing/test-database';
import { ARRAY_BODY_MAX_BYTES, insertArtifacts, splitArtifactRows } from './artifact-rows';

const row = (bytes: Buffer) => ({
  sha256: sha256Hex(bytes),
  mediaType: 'text/html',
  size: bytes.length,
  bytes,
});

describe('artifact rows (on a real database)', () => {
  const database = useTestDatabase();

  it('sends bodies past the array limit alone and the rest together', () => {
    const small = row(randomBytes(ARRAY_BODY_MAX_BYTES));
    const large = row(randomBytes(ARRAY_BODY_MAX_BYTES + 1));
    expect(splitArtifactRows([small, large])).toEqual({ inArray: [small], alone: [large] });
  });

  it('stores small and large bodies byte for byte, and a second write of the same bytes is a no-op', async () => {
    const rows = [row(randomBytes(100)), row(randomBytes(3 * ARRAY_BODY_MAX_BYTES)), row(Buffer.alloc(0))];
    await insertArtifacts(database.db.manager, rows);
    await insertArtifacts(database.db.manager, rows);
    const stored: { sha256: string; size: number; bytes: Buffer }[] = await database.db.query(
      'SELECT sha256, size, bytes FROM artifacts WHERE sha256 = ANY($1)',
      [rows.map((r) => r.sha256)],
    );
    expect(stored).toHaveLength(rows.length);
    for (const r of rows) {
      const found = stored.find((s) => s.sha256 === r.sha256)!;
      expect(found.size).toBe(r.size);
      expect(found.bytes.equals(r.bytes)).toBe(true);
    }
  });
});
