import { type EntityManager } from 'typeorm';
import { CaptureRequestEntity } from '../entities/capture-request.entity';

/** A capture request still waiting to be done, or null when it is unknown or already finished. */
export function findQueuedCaptureRequest(
  db: EntityManager,
  id: string,
): Promise<CaptureRequestEntity | null> {
  return db.getRepository(CaptureRequestEntity).findOneBy({ id, state: 'queued' });
}

/**
 * Counts a passing failure of the source; the request stays queued for another attempt, not before `retryAt` (the
 * end of the queue's backoff).
 */
export async function noteCaptureAttempt(
  db: EntityManager,
  id: string,
  attempt: { attempts: number; errorCode: string; error: string; retryAt: Date },
): Promise<void> {
  await db
    .getRepository(CaptureRequestEntity)
    .update({ id, state: 'queued' }, { ...attempt, deferredSince: null });
}

/**
 * Notes a try deferred for our own load until `retryAt`: no attempt spent, the reason kept, and the mark of its first
 * deferral in a row set if it was not. Answers that mark, or null when the request is no longer queued.
 */
export async function noteCaptureDeferral(
  db: EntityManager,
  id: string,
  reason: { errorCode: string; error: string },
  retryAt: Date,
): Promise<Date | null> {
  const [rows]: [{ deferred_since: Date }[], number] = await db.query(
    `UPDATE capture_requests SET error_code = $2, error = $3, deferred_since = COALESCE(deferred_since, now()),
       retry_at = $4
     WHERE id = $1 AND state = 'queued' RETURNING deferred_since`,
    [id, reason.errorCode, reason.error, retryAt],
  );
  return rows[0]?.deferred_since ?? null;
}

/** Finishes a queued request; false when it was already finished (a replay). */
export async function finishCaptureRequest(
  db: EntityManager,
  id: string,
  outcome:
    | { state: 'completed'; attempts: number; statementIds: string[] }
    | { state: 'failed'; attempts: number; errorCode: string; error: string },
): Promise<boolean> {
  const result = await db.getRepository(CaptureRequestEntity).update(
    { id, state: 'queued' },
    {
      state: outcome.state,
      attempts: outcome.attempts,
      statementIds: outcome.state === 'completed' ? outcome.statementIds : [],
      errorCode: outcome.state === 'failed' ? outcome.errorCode : null,
      error: outcome.state === 'failed' ? outcome.error : null,
      finishedAt: new Date(),
    },
  );
  return (result.affected ?? 0) > 0;
}

/** Records a request to capture a URL now; the scheduler re-enqueues it from here if its job is lost. */
export async function createCaptureRequest(
  db: EntityManager,
  url: string,
): Promise<{ id: string; state: string }> {
  const [row]: { id: string; state: string }[] = await db.query(
    `INSERT INTO capture_requests (url) VALUES ($1) RETURNING id, state`,
    [url],
  );
  return row;
}

/**
 * A capture of `url` asked for on the archive's own initiative (a post a captured page embeds): the request
 * already made for it within `withinSeconds` (queued, running or done; a failed one may be asked again), else a
 * new one. So the same embed on twenty releases, or a page read again, asks for one capture, not twenty.
 */
export async function requestCaptureOnce(
  db: EntityManager,
  url: string,
  withinSeconds: number,
): Promise<{ id: string; state: string; created: boolean }> {
  const [row]: { id: string; state: string; created: boolean }[] = await db.query(
    `WITH held AS (
       SELECT id, state FROM capture_requests
       WHERE url = $1 AND state <> 'failed' AND created_at > now() - make_interval(secs => $2)
       ORDER BY created_at DESC LIMIT 1
     ), made AS (
       INSERT INTO capture_requests (url) SELECT $1 WHERE NOT EXISTS (SELECT 1 FROM held) RETURNING id, state
     )
     SELECT id, state, false AS created FROM held UNION ALL SELECT id, state, true AS created FROM made`,
    [url, withinSeconds],
  );
  return row;
}

/** When the scheduler offers a queued capture request's job to Redis again (it may have been lost). */
export interface CaptureReoffer {
  /** only requests made before this: a new one's job is being added by whoever made it */
  olderThan: Date;
  now: Date;
  /** the queue's epoch (see the scheduler's `queueEpoch`): a request offered under another one lost its job */
  epoch: string;
  /** one offered under this epoch is offered again only this long after, or once its retry time has come */
  reofferAfterMs: number;
  limit: number;
}

/**
 * Capture requests still waiting whose job may be lost (flushed Redis, a job that failed for good), oldest first.
 * One waiting for its retry time (a backoff, a deferral) is not offered before it. One already offered under this
 * epoch is left alone for `reofferAfterMs`, unless its retry time came after that offer.
 */
export async function selectQueuedCaptureRequests(
  db: EntityManager,
  rules: CaptureReoffer,
): Promise<string[]> {
  const rows: { id: string }[] = await db.query(
    `SELECT id FROM capture_requests
     WHERE state = 'queued' AND created_at <= $1 AND (retry_at IS NULL OR retry_at <= $2)
       AND (offered_epoch IS DISTINCT FROM $3 OR offered_at <= $4 OR offered_at < retry_at)
     ORDER BY created_at LIMIT $5`,
    [
      rules.olderThan,
      rules.now,
      rules.epoch,
      new Date(rules.now.getTime() - rules.reofferAfterMs),
      rules.limit,
    ],
  );
  return rows.map((r) => r.id);
}

/** Notes that these requests' jobs were offered to Redis at `at` under `epoch` (rows locked in id order). */
export async function markCaptureRequestsOffered(
  db: EntityManager,
  ids: string[],
  epoch: string,
  at: Date,
): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `UPDATE capture_requests c SET offered_at = $3, offered_epoch = $2
     FROM (SELECT id FROM capture_requests WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE) AS locked
     WHERE c.id = locked.id`,
    [ids, epoch, at],
  );
}
