import { type DataSource } from 'typeorm';
import { packBytes } from '@app/persistence';
import { formatCheckpoint, leafHash, newStoredNodes, signNote, treeHash } from '@app/ledger';
import { type LogKey } from './log-keys';
import { insertNodes, latestCheckpoint, logSize, nodeReader, type CheckpointRow } from './log-store';

/** Only one sequencer may append at a time, across every worker process. */
export const SEQUENCER_LOCK = 7215502;

/**
 * Whether a sequencer holds the log's lock in this database now. Its job, once complete, looks for entries still
 * waiting itself, so a run that lost the lock to it need not ask again (asking would only lose the lock again).
 */
export async function sequencerAtWork(db: DataSource): Promise<boolean> {
  // a bigint advisory key is held as classid (its high 32 bits), objid (its low 32 bits) and objsubid 1
  const [{ held }]: { held: boolean }[] = await db.query(
    `SELECT EXISTS (
       SELECT 1 FROM pg_locks
       WHERE locktype = 'advisory' AND granted AND classid = 0 AND objid = $1::bigint::oid AND objsubid = 1
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS held`,
    [SEQUENCER_LOCK],
  );
  return held;
}

export interface IntegrationResult {
  integrated: number;
  checkpoint: CheckpointRow | null;
  /** entries still waiting (the batch was full, or another sequencer holds the lock) */
  more: boolean;
  /** the last checkpoint is younger than the interval: come back at this time */
  notBefore?: Date;
}

/**
 * Sequences waiting entries into the log: one batch, one tree update, one signed checkpoint, in one
 * transaction under an advisory lock. Returns without doing anything when another sequencer holds the lock.
 * The first call on an empty log signs the checkpoint of the empty tree.
 */
export async function integrateLog(
  db: DataSource,
  key: LogKey,
  batchSize: number,
  minIntervalMs = 0,
  /** runs once this call holds the lock, before it reads anything (a run that lost the lock does not run it) */
  onLocked?: () => Promise<unknown>,
): Promise<IntegrationResult> {
  return db.transaction(async (tx) => {
    const [{ locked }]: { locked: boolean }[] = await tx.query(
      `SELECT pg_try_advisory_xact_lock($1) AS locked`,
      [SEQUENCER_LOCK],
    );
    if (!locked) return { integrated: 0, checkpoint: null, more: true };
    await onLocked?.();
    if (minIntervalMs > 0) {
      const [last]: { wait_ms: number }[] = await tx.query(
        `SELECT $1::float - extract(epoch FROM clock_timestamp() - created_at) * 1000 AS wait_ms
         FROM log_checkpoints ORDER BY size DESC LIMIT 1`,
        [minIntervalMs],
      );
      if (last && last.wait_ms > 0) {
        return {
          integrated: 0,
          checkpoint: null,
          more: true,
          notBefore: new Date(Date.now() + Math.ceil(last.wait_ms)),
        };
      }
    }

    const pending: {
      id: string;
      entry: Buffer;
      statement_id: string;
      version_number: number | null;
      observation_id: string | null;
      created_at: Date;
    }[] = await tx.query(
      `SELECT id, entry, statement_id, version_number, observation_id, created_at FROM log_pending ORDER BY id LIMIT $1`,
      [batchSize + 1],
    );
    const more = pending.length > batchSize;
    const batch = pending.slice(0, batchSize);
    const previous = await latestCheckpoint(tx);
    if (batch.length === 0 && previous) return { integrated: 0, checkpoint: null, more: false };

    const oldSize = await logSize(tx);
    const read = nodeReader(tx);
    const leaves = batch.map((p) => leafHash(p.entry));
    const nodes = await newStoredNodes(oldSize, leaves, read);
    if (batch.length > 0) {
      // entries and leaf hashes (32 bytes each) go as binary parameters, not as hex text (packBytes)
      const entries = packBytes(batch.map((p) => p.entry));
      await tx.query(
        `INSERT INTO log_entries (idx, entry, leaf_hash, statement_id, version_number, queued_at, observation_id)
         SELECT i, substring($2::bytea FROM o + 1 FOR n), substring($3::bytea FROM (32 * k - 31)::int FOR 32), s, v, q, ob
         FROM unnest($1::bigint[], $8::int[], $9::int[], $4::uuid[], $5::int[], $6::timestamptz[], $7::uuid[])
           WITH ORDINALITY AS e(i, o, n, s, v, q, ob, k)`,
        [
          batch.map((_, i) => oldSize + i),
          entries.packed,
          Buffer.concat(leaves),
          batch.map((p) => p.statement_id),
          batch.map((p) => p.version_number),
          batch.map((p) => p.created_at),
          batch.map((p) => p.observation_id),
          entries.offsets,
          entries.lengths,
        ],
      );
      await insertNodes(tx, nodes);
      await tx.query(`DELETE FROM log_pending WHERE id = ANY($1::bigint[])`, [batch.map((p) => p.id)]);
    }

    const size = oldSize + batch.length;
    const root = await treeHash(size, read);
    const note = signNote(formatCheckpoint({ origin: key.origin, size, rootHash: root }), key.signer);
    const [row]: { created_at: Date }[] = await tx.query(
      `INSERT INTO log_checkpoints (size, root, note) VALUES ($1, $2, $3) RETURNING created_at`,
      [size, Buffer.from(root), note],
    );
    return {
      integrated: batch.length,
      checkpoint: { size, root: Buffer.from(root), note, createdAt: row.created_at },
      more,
    };
  });
}
