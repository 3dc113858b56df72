import { type EntityManager } from 'typeorm';

export interface DueAccount {
  id: string;
  dueAt: Date;
}

/** Tracked, unpaused accounts whose next poll time has come, oldest first. */
export async function selectDueAccounts(db: EntityManager, now: Date, limit: number): Promise<DueAccount[]> {
  const rows: { id: string; next_poll_at: Date }[] = await db.query(
    `SELECT id, next_poll_at FROM accounts
     WHERE tracking AND NOT paused AND next_poll_at <= $1
     ORDER BY next_poll_at LIMIT $2`,
    [now, limit],
  );
  return rows.map((r) => ({ id: r.id, dueAt: r.next_poll_at }));
}

/** Capture requests still waiting, so a flushed Redis only delays them. */
export async function selectQueuedCaptureRequests(
  db: EntityManager,
  olderThan: Date,
  limit: number,
): Promise<string[]> {
  const rows: { id: string }[] = await db.query(
    `SELECT id FROM capture_requests WHERE state = 'queued' AND created_at <= $1 ORDER BY created_at LIMIT $2`,
    [olderThan, limit],
  );
  return rows.map((r) => r.id);
}
