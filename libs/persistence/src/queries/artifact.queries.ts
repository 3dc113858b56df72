import { type EntityManager } from 'typeorm';

/** An artifact's bytes and media type, or null. */
export async function findArtifact(
  db: EntityManager,
  sha256: string,
): Promise<{ mediaType: string; bytes: Buffer } | null> {
  const [row]: { media_type: string; bytes: Buffer }[] = await db.query(
    `SELECT media_type, bytes FROM artifacts WHERE sha256 = $1`,
    [sha256],
  );
  return row ? { mediaType: row.media_type, bytes: row.bytes } : null;
}
