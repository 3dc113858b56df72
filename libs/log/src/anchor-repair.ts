import { type Queue } from 'bullmq';
import { type EntityManager } from 'typeorm';
import { JobName, jobIds } from '@app/queues';

/**
 * The newest checkpoint, when it has settled (signed over `settledMs` ago) and still lacks a token from a
 * configured TSA or a cosignature from a configured witness; else null. Its anchor job is added after the
 * checkpoint commits, so a kill between the two, a flushed Redis or an anchor that failed leaves it without
 * one: evidence bundles are built on the newest checkpoint and would go out unanchored for as long as the log
 * stays quiet.
 */
export async function unanchoredCheckpoint(
  db: Pick<EntityManager, 'query'>,
  anchors: { tsaUrls: readonly string[]; witnessKeys: readonly string[]; settledMs: number },
): Promise<number | null> {
  if (anchors.tsaUrls.length === 0 && anchors.witnessKeys.length === 0) return null;
  const [row]: { size: string }[] = await db.query(
    `SELECT c.size FROM (SELECT size, created_at FROM log_checkpoints ORDER BY size DESC LIMIT 1) c
     WHERE c.size > 0 AND c.created_at < clock_timestamp() - make_interval(secs => $3::float8 / 1000)
       AND ((SELECT count(*) FROM log_timestamps t WHERE t.checkpoint_size = c.size AND t.tsa = ANY($1)) < cardinality($1::text[])
         OR (SELECT count(*) FROM log_cosignatures w WHERE w.checkpoint_size = c.size AND w.witness = ANY($2)) < cardinality($2::text[]))`,
    [anchors.tsaUrls, anchors.witnessKeys, anchors.settledMs],
  );
  return row ? Number(row.size) : null;
}

/**
 * Offers the checkpoint's anchoring again, `delayMs` from now. Its job id is the one the sequencer uses, so
 * while a try waits or runs the offer is a no-op: a TSA or witness that stays down is asked once per delay.
 */
export async function scheduleAnchorRetry(queue: Queue, size: number, delayMs: number): Promise<void> {
  await queue.add(JobName.AnchorCheckpoint, { size }, { jobId: jobIds.anchor(size), delay: delayMs });
}
