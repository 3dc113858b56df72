import { type EntityManager } from 'typeorm';
import { type CanaryDecision, type PlatformState } from '@app/core';

/** SQL condition on an accounts row `a`: its platform is not paused by a failing canary. */
// the degraded platforms are read once per statement (an InitPlan), not looked up once per account row: over
// 100,000 due accounts the per-row form cost the scheduler a quarter of a second
export const PLATFORM_NOT_DEGRADED = `a.platform <> ALL (ARRAY(
  SELECT h.platform FROM platform_health h WHERE h.state = 'degraded'))`;

/** A configured canary: the platform it speaks for and the account URL read to check it. */
export interface CanarySetting {
  platform: string;
  url: string;
}

/** A canary check claimed by one worker: the claim holds until `claimedUntil`. */
export interface CanaryClaim {
  platform: string;
  canaryUrl: string;
  state: PlatformState;
  failures: number;
  /** the canary account as its connector resolved it on the first good check (null before) */
  account: unknown;
  cursor: unknown;
  claimedUntil: Date;
}

export interface PlatformHealthView {
  platform: string;
  canaryUrl: string;
  state: PlatformState;
  reason: string | null;
  failures: number;
  degradedSince: string | null;
  lastCheckedAt: string | null;
  lastOkAt: string | null;
  nextCheckAt: string;
}

interface PlatformHealthRow {
  platform: string;
  canary_url: string;
  state: PlatformState;
  reason: string | null;
  failures: number;
  degraded_since: Date | null;
  last_checked_at: Date | null;
  last_ok_at: Date | null;
  account: unknown;
  cursor: unknown;
  next_check_at: Date;
}

/**
 * Makes the table match the configured canaries: new ones are checked at once, a changed URL starts
 * afresh, and a platform whose canary was removed is no longer held degraded by it.
 */
export async function syncCanaries(db: EntityManager, canaries: CanarySetting[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`DELETE FROM platform_health WHERE NOT (platform = ANY($1))`, [
      canaries.map((c) => c.platform),
    ]);
    for (const { platform, url } of canaries) {
      await tx.query(
        `INSERT INTO platform_health (platform, canary_url) VALUES ($1, $2)
         ON CONFLICT (platform) DO UPDATE SET canary_url = EXCLUDED.canary_url, state = 'ok', reason = NULL,
           failures = 0, degraded_since = NULL, account = NULL, cursor = '{}', next_check_at = now()
         WHERE platform_health.canary_url <> EXCLUDED.canary_url`,
        [platform, url],
      );
    }
  });
}

/** Claims the canaries due at `now` for `leaseMs`: another worker takes one over only after its claim lapsed. */
export async function claimDueCanaries(
  db: EntityManager,
  now: Date,
  leaseMs: number,
): Promise<CanaryClaim[]> {
  const until = new Date(now.getTime() + leaseMs);
  const rows: PlatformHealthRow[] = await db.query(
    // wrapped in a SELECT: TypeORM answers a bare UPDATE … RETURNING with [rows, count]
    `WITH claimed AS (
       UPDATE platform_health SET next_check_at = $2 WHERE next_check_at <= $1
       RETURNING platform, canary_url, state, failures, account, cursor, next_check_at)
     SELECT * FROM claimed`,
    [now, until],
  );
  return rows.map((r) => ({
    platform: r.platform,
    canaryUrl: r.canary_url,
    state: r.state,
    failures: r.failures,
    account: r.account,
    cursor: r.cursor,
    claimedUntil: r.next_check_at,
  }));
}

/**
 * Records a check's result under its claim, with the event the state change raises, in one transaction.
 * False when the claim was lost (it lapsed and another worker checked): nothing is written twice.
 */
export async function recordCanaryCheck(
  db: EntityManager,
  claim: CanaryClaim,
  result: {
    decision: CanaryDecision;
    reason: string | null;
    account: unknown;
    cursor: unknown;
    checkedAt: Date;
  },
): Promise<boolean> {
  const { decision, reason, account, cursor, checkedAt } = result;
  return db.transaction(async (tx) => {
    const updated: unknown[] = await tx.query(
      `WITH recorded AS (
         UPDATE platform_health SET
           state = $3, failures = $4, reason = $5, cursor = $6, last_checked_at = $7, account = $9,
           last_ok_at = CASE WHEN $4 = 0 THEN $7 ELSE last_ok_at END,
           degraded_since = CASE WHEN $3 = 'ok' THEN NULL ELSE COALESCE(degraded_since, $7) END,
           next_check_at = $7::timestamptz + make_interval(secs => $8)
         WHERE platform = $1 AND next_check_at = $2
         RETURNING platform)
       SELECT platform FROM recorded`,
      [
        claim.platform,
        claim.claimedUntil,
        decision.state,
        decision.failures,
        reason,
        JSON.stringify(cursor ?? {}),
        checkedAt,
        decision.nextCheckInSeconds,
        account === null || account === undefined ? null : JSON.stringify(account),
      ],
    );
    if (updated.length === 0) return false;
    if (decision.event) {
      await tx.query(`INSERT INTO events (type, platform, detail) VALUES ($1, $2, $3)`, [
        decision.event,
        claim.platform,
        reason,
      ]);
    }
    return true;
  });
}

/** Every platform with a canary, for the API and metrics. */
export async function listPlatformHealth(db: EntityManager): Promise<PlatformHealthView[]> {
  const rows: PlatformHealthRow[] = await db.query(
    `SELECT platform, canary_url, state, reason, failures, degraded_since, last_checked_at, last_ok_at, cursor,
            next_check_at
     FROM platform_health ORDER BY platform`,
  );
  return rows.map((r) => ({
    platform: r.platform,
    canaryUrl: r.canary_url,
    state: r.state,
    reason: r.reason,
    failures: r.failures,
    degradedSince: r.degraded_since?.toISOString() ?? null,
    lastCheckedAt: r.last_checked_at?.toISOString() ?? null,
    lastOkAt: r.last_ok_at?.toISOString() ?? null,
    nextCheckAt: r.next_check_at.toISOString(),
  }));
}
