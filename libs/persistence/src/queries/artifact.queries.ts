import { type EntityManager } from 'typeorm';

export interface ArtifactHead {
  mediaType: string;
  size: number;
  /** where the bytes are: this row (`database`) or the blob store (`blobs`) */
  storage: 'database' | 'blobs';
}

/** An artifact's media type and size, without its bytes; null when there is none. */
export async function findArtifactHead(db: EntityManager, sha256: string): Promise<ArtifactHead | null> {
  const [row]: { media_type: string; size: number; storage: ArtifactHead['storage'] }[] = await db.query(
    `SELECT media_type, size, storage FROM artifacts WHERE sha256 = $1`,
    [sha256],
  );
  return row ? { mediaType: row.media_type, size: Number(row.size), storage: row.storage } : null;
}

/**
 * `length` bytes of an artifact from byte `offset` (0-based; fewer at the end). `artifacts.bytes` is stored
 * EXTERNAL (uncompressed out of line), so PostgreSQL reads only the TOAST chunks that hold the slice.
 */
export async function readArtifactSlice(
  db: EntityManager,
  sha256: string,
  offset: number,
  length: number,
): Promise<Buffer> {
  const [row]: { slice: Buffer }[] = await db.query(
    `SELECT substring(bytes FROM $2::int FOR $3::int) AS slice FROM artifacts WHERE sha256 = $1`,
    [sha256, offset + 1, length],
  );
  return row ? row.slice : Buffer.alloc(0);
}
