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
    // the latest run: one probe of the (account_id, id) index

    // TypeORM answers an UPDATE with [rows, rowCount]
    const [, extended]: [unknown[], number] = await db.query(
      `UPDATE capture_runs SET polls = polls + 1, finished_at = $2
       WHERE id = (SELECT id FROM capture_runs WHERE account_id = $1 ORDER BY id DESC LIMIT 1)
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

/**
 * `recordCaptureRun` for many polls in ONE statement, with the same rule: a run that is not `captured`
 * extends the account's latest run when that has the same outcome, HTTP status and note, else adds a row.
 * At most one run per account.
 */
export async function recordCaptureRuns(db: EntityManager, runs: CaptureRunRecord[]): Promise<void> {
  if (runs.length === 0) return;
  // the latest run: see recordCaptureRun
  await db.query(
    `WITH runs AS (
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::text[], $5::int[], $6::int[],
                            $7::int[], $8::int[], $9::text[], $10::text[]) WITH ORDINALITY
         AS r(account_id, started_at, finished_at, outcome, http_status, posts_seen, posts_new, versions_new,
              error_code, error, position)
     ), latest AS (
       SELECT r.*, (SELECT c.id FROM capture_runs c WHERE c.account_id = r.account_id ORDER BY c.id DESC LIMIT 1) AS run_id
       FROM runs r WHERE r.outcome <> 'captured'
     ), extended AS (
       UPDATE capture_runs c SET polls = c.polls + 1, finished_at = l.finished_at
       FROM latest l
       WHERE c.id = l.run_id AND c.outcome = l.outcome AND c.http_status IS NOT DISTINCT FROM l.http_status
         AND c.error_code IS NOT DISTINCT FROM l.error_code AND c.error IS NOT DISTINCT FROM l.error
       RETURNING c.account_id
     )
     INSERT INTO capture_runs (account_id, started_at, finished_at, outcome, http_status, posts_seen, posts_new, versions_new, error_code, error)
     SELECT account_id, started_at, finished_at, outcome, http_status, posts_seen, posts_new, versions_new, error_code, error
     FROM runs WHERE account_id NOT IN (SELECT account_id FROM extended)
     ORDER BY position`,
    [
      runs.map((r) => r.accountId),
      runs.map((r) => r.startedAt),
      runs.map((r) => r.finishedAt),
      runs.map((r) => r.outcome),
      runs.map((r) => r.httpStatus),
      runs.map((r) => r.postsSeen),
      runs.map((r) => r.postsNew),
      runs.map((r) => r.versionsNew),
      runs.map((r) => r.errorCode),
      runs.map((r) => r.error),
    ],
  );
}
