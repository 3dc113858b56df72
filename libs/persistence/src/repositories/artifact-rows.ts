import { type EntityManager } from 'typeorm';
import { packBytes } from './packed-bytes';

/** An artifact row to write: content-addressed, so writing one we hold already is a no-op. */
export interface ArtifactRow {
  sha256: string;
  mediaType: string;
  size: number;
  bytes: Buffer;
}

/**
 * Bodies up to this size are written together, packed into one binary parameter (packBytes); larger ones each go
 * as a parameter of their own, so a 10 MB body is copied once, not again into a pack beside the small ones.
 */
export const ARRAY_BODY_MAX_BYTES = 64 * 1024;

/** Splits rows into those small enough to be written together and those written one by one. */
export function splitArtifactRows<Row extends ArtifactRow>(rows: Row[]): { inArray: Row[]; alone: Row[] } {
  const inArray: Row[] = [];
  const alone: Row[] = [];
  for (const row of rows) (row.bytes.length > ARRAY_BODY_MAX_BYTES ? alone : inArray).push(row);
  return { inArray, alone };
}

/** Writes rows one statement each, their bodies sent as binary parameters. */
export async function insertArtifactsAlone(db: EntityManager, rows: ArtifactRow[]): Promise<void> {
  for (const row of rows) {
    await db.query(
      `INSERT INTO artifacts (sha256, media_type, size, bytes) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING`,
      [row.sha256, row.mediaType, row.size, row.bytes],
    );
  }
}

/** Writes rows however large: the small ones in one statement, the large ones each alone. */
export async function insertArtifacts(db: EntityManager, rows: ArtifactRow[]): Promise<void> {
  const { inArray, alone } = splitArtifactRows(rows);
  await insertArtifactsAlone(db, alone);
  if (inArray.length === 0) return;
  const bodies = packBytes(inArray.map((a) => a.bytes));
  await db.query(
    `INSERT INTO artifacts (sha256, media_type, size, bytes)
     SELECT sha, mt, sz, substring($4::bytea FROM o + 1 FOR n)
     FROM unnest($1::text[], $2::text[], $3::int[], $5::int[], $6::int[]) AS a(sha, mt, sz, o, n)
     ON CONFLICT (sha256) DO NOTHING`,
    [
      inArray.map((a) => a.sha256),
      inArray.map((a) => a.mediaType),
      inArray.map((a) => a.size),
      bodies.packed,
      bodies.offsets,
      bodies.lengths,
    ],
  );
}
