import { type EntityManager } from 'typeorm';
import { type CaptureOutcome } from '../entities/capture-run.entity';

export interface CaptureRunRecord {
  accountId: string;
  startedAt: Date;
  finishedAt: Date;
  outcome: CaptureOutcome;
  httpStatus: number | null;
  postsSeen: number;
  postsNew: number;
  versionsNew: number;
  errorCode: string | null;
  error: string | null;
}

/**
 * Records one poll. A poll that changed nothing, or failed exactly like the one before, extends the
 * previous run (polls + 1, finished_at) instead of adding a row: an idle or broken source does not grow the table.
 */
export async function recordCaptureRun(db: EntityManager, run: CaptureRunRecord): Promise<void> {
  if (run.outcome !== 'captured') {
    // the latest run by `id + 0`: ordering by the bare id lets the planner walk the primary key backwards,
    // filtering every other account's runs; this keeps it on the (account_id, started_at) index

    // TypeORM answers an UPDATE with [rows, rowCount]
    const [, extended]: [unknown[], number] = await db.query(
      `UPDATE capture_runs SET polls = polls + 1, finished_at = $2
       WHERE id = (SELECT id FROM capture_runs WHERE account_id = $1 ORDER BY id + 0 DESC LIMIT 1)
         AND outcome = $3 AND http_status IS NOT DISTINCT FROM $4
         AND error_code IS NOT DISTINCT FROM $5 AND error IS NOT DISTINCT FROM $6
`,
      [run.accountId, run.finishedAt, run.outcome, run.httpStatus, run.errorCode, run.error],
    );
    if (extended > 0) return;
  }
  await db.query(
    `INSERT INTO capture_runs (account_id, started_at, finished_at, outcome, http_status, posts_seen, posts_new, versions_new, error_code, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      run.accountId,
      run.startedAt,
      run.finishedAt,
      run.outcome,
      run.httpStatus,
      run.postsSeen,
      run.postsNew,
      run.versionsNew,
      run.errorCode,
      run.error,
    ],
  );
}
