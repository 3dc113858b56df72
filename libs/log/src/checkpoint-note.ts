import { type EntityManager } from 'typeorm';
import { type CheckpointRow } from './log-store';

/** The checkpoint note as served: the log's signature followed by every witness cosignature received. */
export async function checkpointWithCosignatures(
  db: EntityManager,
  checkpoint: CheckpointRow,
): Promise<{ note: string; witnesses: string[] }> {
  const rows: { witness: string; signature_line: string }[] = await db.query(
    `SELECT witness, signature_line FROM log_cosignatures WHERE checkpoint_size = $1 ORDER BY id`,
    [checkpoint.size],
  );
  return {
    note: checkpoint.note + rows.map((r) => r.signature_line).join(''),
    witnesses: rows.map((r) => r.witness),
  };
}
