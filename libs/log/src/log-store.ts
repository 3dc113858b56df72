import { type EntityManager } from 'typeorm';
import { type NodeId, type NodeReader, type StoredNode } from '@app/ledger';

/** Reads complete-subtree hashes from log_nodes in one indexed query, in the order asked. */
export function nodeReader(db: EntityManager): NodeReader {
  return async (ids: readonly NodeId[]) => {
    if (ids.length === 0) return [];
    const rows: { level: number; idx: string; hash: Buffer }[] = await db.query(
      `SELECT n.level, n.idx, n.hash FROM log_nodes n
       JOIN unnest($1::smallint[], $2::bigint[]) AS want(level, idx) ON n.level = want.level AND n.idx = want.idx`,
      [ids.map((id) => id.level), ids.map((id) => id.index)],
    );
    const byKey = new Map(rows.map((r) => [`${r.level}/${r.idx}`, r.hash]));
    return ids.map((id) => {
      const hash = byKey.get(`${id.level}/${id.index}`);
      if (!hash) throw new Error(`log node ${id.level}/${id.index} is missing: the log tables are damaged`);
      return new Uint8Array(hash);
    });
  };
}

export async function insertNodes(db: EntityManager, nodes: readonly StoredNode[]): Promise<void> {
  if (nodes.length === 0) return;
  await db.query(
    // the hashes (32 bytes each) as one binary parameter, not as hex text
    `INSERT INTO log_nodes (level, idx, hash)
     SELECT l, i, substring($3::bytea FROM (32 * k - 31)::int FOR 32)
     FROM unnest($1::smallint[], $2::bigint[]) WITH ORDINALITY AS n(l, i, k)`,
    [nodes.map((n) => n.level), nodes.map((n) => n.index), Buffer.concat(nodes.map((n) => n.hash))],
  );
}

export interface CheckpointRow {
  size: number;
  root: Buffer;
  note: string;
  createdAt: Date;
}

export async function latestCheckpoint(db: EntityManager): Promise<CheckpointRow | null> {
  const [row]: { size: string; root: Buffer; note: string; created_at: Date }[] = await db.query(
    `SELECT size, root, note, created_at FROM log_checkpoints ORDER BY size DESC LIMIT 1`,
  );
  return row ? { size: Number(row.size), root: row.root, note: row.note, createdAt: row.created_at } : null;
}

export async function checkpointAt(db: EntityManager, size: number): Promise<CheckpointRow | null> {
  const [row]: { size: string; root: Buffer; note: string; created_at: Date }[] = await db.query(
    `SELECT size, root, note, created_at FROM log_checkpoints WHERE size = $1`,
    [size],
  );
  return row ? { size: Number(row.size), root: row.root, note: row.note, createdAt: row.created_at } : null;
}

/** The number of sequenced entries. */
export async function logSize(db: EntityManager): Promise<number> {
  const [row]: { size: string | null }[] = await db.query(`SELECT max(idx) + 1 AS size FROM log_entries`);
  return Number(row.size ?? 0);
}
