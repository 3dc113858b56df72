import { type EntityManager } from 'typeorm';
import { ErrorCode, VerbatimError } from '@app/core';
import {
  consistencyProof,
  encodeEntryBundle,
  encodeTile,
  inclusionProof,
  TILE_WIDTH,
  tileNodeIds,
  toBase64,
  type NodeReader,
  type TileAddress,
} from '@app/ledger';
import { runPrepared } from '@app/persistence';
import { latestCheckpoint, nodeReader } from './log-store';

async function publishedSize(db: EntityManager): Promise<number> {
  return (await latestCheckpoint(db))?.size ?? 0;
}

function invalid(message: string): VerbatimError {
  return new VerbatimError(ErrorCode.InvalidInput, message);
}

/**
 * RFC 9162 inclusion proof of entry `index` in the tree of `size` (at most the latest checkpoint's size).
 * One indexed query: the proof's nodes, the leaf hash (a level-0 node) and the published size together.
 */
export async function proveInclusion(db: EntityManager, index: number, size: number) {
  if (index < 0 || index >= size) throw invalid(`index: must be from 0 to ${size - 1}`);
  let leaf: Uint8Array | undefined;
  const read: NodeReader = async (ids) => {
    const wanted = [{ level: 0, index }, ...ids];
    const { rows } = await runPrepared<{ published: string | null; hash: Buffer | null }>(
      db,
      `SELECT (SELECT max(size) FROM log_checkpoints) AS published, n.hash
       FROM unnest($1::smallint[], $2::bigint[]) WITH ORDINALITY AS want(level, idx, ord)
       LEFT JOIN log_nodes n ON n.level = want.level AND n.idx = want.idx
       ORDER BY want.ord`,
      [wanted.map((id) => id.level), wanted.map((id) => id.index)],
    );
    const published = Number(rows[0]?.published ?? 0);
    if (size > published) throw invalid(`size: must be from 1 to ${published}, the latest checkpoint's size`);
    if (rows.some((r) => r.hash === null))
      throw new Error('a log node is missing: the log tables are damaged');
    leaf = rows[0].hash!;
    return rows.slice(1).map((r) => new Uint8Array(r.hash!));
  };
  const hashes = await inclusionProof(index, size, read);
  if (!leaf) await read([]); // a one-entry tree needs no nodes, but the leaf and the size check still count
  return { index, size, leafHash: toBase64(leaf!), hashes: hashes.map(toBase64) };
}

/** RFC 9162 consistency proof between two tree sizes, both at most the latest checkpoint's size. */
export async function proveConsistency(db: EntityManager, from: number, to: number) {
  const published = await publishedSize(db);
  if (to > published) throw invalid(`to: must be at most ${published}, the latest checkpoint's size`);
  if (from < 1 || from > to)
    throw invalid(`from: must be from 1 to ${to} (proofs from the empty tree are empty by definition)`);
  const hashes = await consistencyProof(from, to, nodeReader(db));
  return { from, to, hashes: hashes.map(toBase64) };
}

export const MAX_ENTRIES_PER_PAGE = 1000;

/** Exact entry bytes for mirrors and auditors, [start, end). */
export async function readEntries(db: EntityManager, start: number, end: number) {
  const published = await publishedSize(db);
  if (start < 0 || end <= start) throw invalid('start and end: need 0 <= start < end');
  // a start at or past the published size (a mirror that is up to date) gets no entries, and end = start
  const stop = Math.max(start, Math.min(end, published, start + MAX_ENTRIES_PER_PAGE));
  const rows: { idx: string; entry: Buffer }[] = await db.query(
    `SELECT idx, entry FROM log_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx`,
    [start, stop],
  );
  return {
    start,
    end: stop,
    entries: rows.map((r) => ({ index: Number(r.idx), entry: r.entry.toString('base64') })),
  };
}

/** A C2SP tlog-tiles tile: hash tiles come from the stored nodes, entry tiles from the entries. */
export async function readTile(db: EntityManager, tile: TileAddress): Promise<Buffer | null> {
  const published = await publishedSize(db);
  const width = tile.width;
  if (tile.level === 'entries') {
    const first = tile.index * TILE_WIDTH;
    if (first + width > published) return null;
    const rows: { entry: Buffer }[] = await db.query(
      `SELECT entry FROM log_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx`,
      [first, first + width],
    );
    return rows.length === width ? Buffer.from(encodeEntryBundle(rows.map((r) => r.entry))) : null;
  }
  const span = TILE_WIDTH ** tile.level * width; // leaves below the tile's hashes at level 8·L
  if (tile.index * TILE_WIDTH ** (tile.level + 1) + span > published) return null;
  // the size check above means every node exists; a missing one is damage and must not read as "not yet"
  const hashes = await nodeReader(db)(tileNodeIds(tile.level, tile.index, width));
  return Buffer.from(encodeTile(hashes));
}
