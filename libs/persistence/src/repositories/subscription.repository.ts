import { type EntityManager } from 'typeorm';

/** What decides whether a subscription hears about an event. */
export interface SubscriptionFilter {
  id: string;
  events: string[];
  accountIds: string[] | null;
  keywords: string[] | null;
  startsAfter: string;
}

export interface NewSubscription {
  url: string;
  events: string[];
  accountIds: string[] | null;
  keywords: string[] | null;
  secret: string;
}

/** Creates a subscription; it hears about events sequenced from now on, not the past. */
export async function insertSubscription(db: EntityManager, input: NewSubscription): Promise<string> {
  const [{ id }]: { id: string }[] = await db.query(
    `INSERT INTO subscriptions (url, events, account_ids, keywords, secret, starts_after)
     VALUES ($1, $2, $3, $4, $5, (SELECT COALESCE(max(position), 0) FROM event_outbox))
     RETURNING id`,
    [input.url, input.events, input.accountIds, input.keywords, input.secret],
  );
  return id;
}

/** Changes what was given; re-enabling clears the failing streak so the backlog is tried again at once. */
export async function updateSubscription(
  db: EntityManager,
  id: string,
  change: Partial<Omit<NewSubscription, 'secret'>> & { enabled?: boolean },
): Promise<void> {
  await db.query(
    `UPDATE subscriptions SET
       url = COALESCE($2, url),
       events = COALESCE($3, events),
       account_ids = CASE WHEN $4::boolean THEN $5::uuid[] ELSE account_ids END,
       keywords = CASE WHEN $6::boolean THEN $7::text[] ELSE keywords END,
       disabled_at = CASE WHEN $8::boolean IS NULL THEN disabled_at WHEN $8 THEN NULL ELSE COALESCE(disabled_at, now()) END,
       disabled_reason = CASE WHEN $8::boolean IS NULL THEN disabled_reason WHEN $8 THEN NULL ELSE 'disabled by request' END,
       failing_since = CASE WHEN $8::boolean THEN NULL ELSE failing_since END,
       updated_at = now()
     WHERE id = $1 AND deleted_at IS NULL`,
    [
      id,
      change.url ?? null,
      change.events ?? null,
      change.accountIds !== undefined,
      change.accountIds ?? null,
      change.keywords !== undefined,
      change.keywords ?? null,
      change.enabled ?? null,
    ],
  );
  if (change.enabled)
    await db.query(
      `UPDATE deliveries SET next_attempt_at = now() WHERE subscription_id = $1 AND state = 'pending'`,
      [id],
    );
}

/** Stops a subscription for good; its delivery history stays readable. */
export async function deleteSubscription(db: EntityManager, id: string): Promise<boolean> {
  const [, changed]: [unknown, number] = await db.query(
    `UPDATE subscriptions SET deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL`,
    [id],
  );
  return changed > 0;
}

/** Subscriptions that may receive events: not deleted (disabled ones still collect deliveries to resume). */
export async function liveSubscriptions(db: EntityManager): Promise<SubscriptionFilter[]> {
  const rows: {
    id: string;
    events: string[];
    account_ids: string[] | null;
    keywords: string[] | null;
    starts_after: string;
  }[] = await db.query(
    `SELECT id, events, account_ids, keywords, starts_after FROM subscriptions WHERE deleted_at IS NULL`,
  );
  return rows.map((r) => ({
    id: r.id,
    events: r.events,
    accountIds: r.account_ids,
    keywords: r.keywords,
    startsAfter: r.starts_after,
  }));
}

/** One delivery per (subscription, event); a replayed fan-out adds nothing. */
export async function insertDeliveries(
  db: EntityManager,
  rows: { subscriptionId: string; position: string; statementId: string | null }[],
): Promise<number> {
  if (rows.length === 0) return 0;
  // TypeORM answers an INSERT with its rows only, so the count comes from RETURNING
  const inserted: unknown[] = await db.query(
    `INSERT INTO deliveries (subscription_id, position, statement_id)
     SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::uuid[])
     ON CONFLICT (subscription_id, position) DO NOTHING
     RETURNING id`,
    [rows.map((r) => r.subscriptionId), rows.map((r) => r.position), rows.map((r) => r.statementId)],
  );
  return inserted.length;
}

/**
 * Deliveries (`d`, with their subscription `s`) a round may take now: due, of an enabled subscription, and with no
 * earlier delivery of the same statement to the same subscription still pending, so a subscriber hears about a
 * statement in order. A FROM clause and its WHERE, for callers to go on from (so no line comments in it).
 */
const CLAIMABLE_DELIVERIES = `deliveries d JOIN subscriptions s ON s.id = d.subscription_id
  WHERE d.state = 'pending' AND d.next_attempt_at <= now()
    AND s.disabled_at IS NULL AND s.deleted_at IS NULL
    /* plain equality, so each probe is one range of deliveries_order; IS NOT DISTINCT FROM cannot use
       the index and scanned every earlier delivery of the subscription: quadratic in the backlog */
    AND NOT EXISTS (
      SELECT 1 FROM deliveries earlier
      WHERE earlier.subscription_id = d.subscription_id AND earlier.state = 'pending'
        AND earlier.statement_id = d.statement_id AND earlier.position < d.position)
    AND NOT (d.statement_id IS NULL AND EXISTS (
      SELECT 1 FROM deliveries earlier
      WHERE earlier.subscription_id = d.subscription_id AND earlier.state = 'pending'
        AND earlier.statement_id IS NULL AND earlier.position < d.position))`;

/** A delivery taken for sending: the lease keeps other workers off it until it is recorded or expires. */
export interface ClaimedDelivery {
  id: string;
  subscriptionId: string;
  url: string;
  secret: string;
  eventId: string;
  payload: Buffer;
  attempts: number;
  failingSince: Date | null;
}

/**
 * Takes claimable deliveries (`CLAIMABLE_DELIVERIES`), oldest due first. The lease
 * (next_attempt_at moved ahead) makes a crashed sender's deliveries due again later: at least once.
 */
export async function claimDueDeliveries(
  db: EntityManager,
  limit: number,
  leaseSeconds: number,
): Promise<ClaimedDelivery[]> {
  const rows: {
    id: string;
    subscription_id: string;
    url: string;
    secret: string;
    event_id: string;
    payload: Buffer;
    attempts: number;
    failing_since: Date | null;
  }[] = await db.query(
    `WITH due AS (
       SELECT d.id FROM ${CLAIMABLE_DELIVERIES}
       -- due order walks the deliveries_due index and stops at the limit; sorting by position read every
       -- pending delivery per claim. Per-statement order is the NOT EXISTS above's, not this ORDER BY's
       ORDER BY d.next_attempt_at
       LIMIT $1
       FOR UPDATE OF d SKIP LOCKED
     ), leased AS (
       UPDATE deliveries d SET next_attempt_at = now() + make_interval(secs => $2)
       FROM due WHERE d.id = due.id
       RETURNING d.id, d.subscription_id, d.position, d.attempts
     )
     SELECT l.id, l.subscription_id, s.url, s.secret, o.event_id, o.payload, l.attempts, s.failing_since
     FROM leased l JOIN subscriptions s ON s.id = l.subscription_id JOIN event_outbox o ON o.position = l.position
     ORDER BY l.position`,
    [limit, leaseSeconds],
  );
  return rows.map((r) => ({
    id: r.id,
    subscriptionId: r.subscription_id,
    url: r.url,
    secret: r.secret,
    eventId: r.event_id,
    payload: r.payload,
    attempts: r.attempts,
    failingSince: r.failing_since,
  }));
}

export interface AttemptRecord {
  deliveryId: string;
  subscriptionId: string;
  attemptedAt: Date;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  delivered: boolean;
  /** when to try again; null once delivered */
  nextAttemptAt: Date | null;
  /** the subscription is to be disabled: its endpoint has failed for too long */
  disable: string | null;
}

/**
 * Records a round of attempts, their outcome on each delivery and each subscription's failing streak, with
 * one set-based statement per table: a round of sixteen sends costs three statements, not forty-eight.
 * Must run inside a transaction.
 */
export async function recordDeliveryAttempts(db: EntityManager, attempts: AttemptRecord[]): Promise<void> {
  if (attempts.length === 0) return;
  await db.query(
    `INSERT INTO delivery_attempts (delivery_id, attempted_at, status_code, latency_ms, error)
     SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::int[], $4::int[], $5::text[])`,
    [
      attempts.map((a) => a.deliveryId),
      attempts.map((a) => a.attemptedAt),
      attempts.map((a) => a.statusCode),
      attempts.map((a) => a.latencyMs),
      attempts.map((a) => a.error),
    ],
  );
  await db.query(
    `UPDATE deliveries d SET attempts = d.attempts + 1,
       state = CASE WHEN t.delivered THEN 'delivered' ELSE d.state END,
       delivered_at = CASE WHEN t.delivered THEN t.at ELSE NULL END,
       next_attempt_at = COALESCE(t.next_at, d.next_attempt_at)
     FROM unnest($1::bigint[], $2::boolean[], $3::timestamptz[], $4::timestamptz[]) AS t(id, delivered, at, next_at)
     WHERE d.id = t.id`,
    [
      attempts.map((a) => a.deliveryId),
      attempts.map((a) => a.delivered),
      attempts.map((a) => a.attemptedAt),
      attempts.map((a) => a.nextAttemptAt),
    ],
  );
  const streaks = subscriptionStreaks(attempts);
  await db.query(
    `UPDATE subscriptions s SET
       failing_since = CASE WHEN t.delivered THEN NULL ELSE COALESCE(s.failing_since, t.at) END,
       disabled_at = CASE WHEN t.disable IS NOT NULL THEN COALESCE(s.disabled_at, t.at) ELSE s.disabled_at END,
       disabled_reason = COALESCE(t.disable, s.disabled_reason)
     FROM unnest($1::uuid[], $2::boolean[], $3::timestamptz[], $4::text[]) AS t(id, delivered, at, disable)
     WHERE s.id = t.id`,
    [
      streaks.map((x) => x.subscriptionId),
      streaks.map((x) => x.delivered),
      streaks.map((x) => x.at),
      streaks.map((x) => x.disable),
    ],
  );
}

/** One row per subscription: any delivery in the round ends its failing streak; otherwise the earliest failure starts it. */
function subscriptionStreaks(
  attempts: AttemptRecord[],
): { subscriptionId: string; delivered: boolean; at: Date; disable: string | null }[] {
  const bySubscription = new Map<
    string,
    { subscriptionId: string; delivered: boolean; at: Date; disable: string | null }
  >();
  for (const a of attempts) {
    const seen = bySubscription.get(a.subscriptionId);
    if (!seen) {
      bySubscription.set(a.subscriptionId, {
        subscriptionId: a.subscriptionId,
        delivered: a.delivered,
        at: a.attemptedAt,
        disable: a.disable,
      });
      continue;
    }
    seen.delivered ||= a.delivered;
    if (a.attemptedAt < seen.at) seen.at = a.attemptedAt;
    seen.disable ??= a.disable;
  }
  // an endpoint that answered once in the round is not failing: nothing to disable
  return [...bySubscription.values()].map((x) => (x.delivered ? { ...x, disable: null } : x));
}

/** Makes a delivery due again now (a manual retry); false when there is no such delivery of the subscription. */
export async function retryDelivery(
  db: EntityManager,
  subscriptionId: string,
  deliveryId: string,
): Promise<boolean> {
  const [, changed]: [unknown, number] = await db.query(
    // a delivered one is sent again: no longer delivered until it is (its attempts keep the earlier success)
    `UPDATE deliveries SET state = 'pending', next_attempt_at = now(), delivered_at = NULL
     WHERE id = $1 AND subscription_id = $2`,
    [deliveryId, subscriptionId],
  );
  return changed > 0;
}

/**
 * Whether a round would take a delivery now (its job may have been lost with a flushed Redis, or asked for while a
 * round ran). A due delivery held behind an earlier one of its statement is not counted: asking for a round for it
 * would find nothing, again and again. It reads what a claim that takes nothing reads, no more.
 */
export async function hasClaimableDeliveries(db: EntityManager): Promise<boolean> {
  const [{ claimable }]: { claimable: boolean }[] = await db.query(
    `SELECT EXISTS (SELECT 1 FROM ${CLAIMABLE_DELIVERIES}) AS claimable`,
  );
  return claimable;
}
