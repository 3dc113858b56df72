import { type EntityManager } from 'typeorm';

/** A subscription as its owner sees it; the secret is shown only once, at creation. */
export interface SubscriptionView {
  id: string;
  url: string;
  events: string[];
  accountIds: string[] | null;
  keywords: string[] | null;
  enabled: boolean;
  disabledAt: string | null;
  disabledReason: string | null;
  failingSince: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryAttemptView {
  attemptedAt: string;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

export interface DeliveryView {
  id: string;
  webhookId: string;
  eventType: string;
  statementId: string | null;
  state: string;
  attempts: DeliveryAttemptView[];
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}

interface SubscriptionRow {
  id: string;
  url: string;
  events: string[];
  account_ids: string[] | null;
  keywords: string[] | null;
  disabled_at: Date | null;
  disabled_reason: string | null;
  failing_since: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, url, events, account_ids, keywords, disabled_at, disabled_reason, failing_since, created_at, updated_at`;

/** The id a subscriber dedupes by: one per event, the same on every retry and for every subscription. */
export function webhookIdOf(eventId: string): string {
  return `msg_${eventId}`;
}

export async function listSubscriptions(db: EntityManager): Promise<SubscriptionView[]> {
  const rows: SubscriptionRow[] = await db.query(
    `SELECT ${COLUMNS} FROM subscriptions WHERE deleted_at IS NULL ORDER BY created_at`,
  );
  return rows.map(subscriptionView);
}

export async function findSubscription(db: EntityManager, id: string): Promise<SubscriptionView | null> {
  const [row]: SubscriptionRow[] = await db.query(
    `SELECT ${COLUMNS} FROM subscriptions WHERE id = $1 AND deleted_at IS NULL`,
    [id],
  );
  return row ? subscriptionView(row) : null;
}

/** A page of a subscription's deliveries, and where the next one starts (null: this was the last). */
export interface DeliveryPage {
  items: DeliveryView[];
  nextCursor: string | null;
}

/**
 * The subscription's deliveries, newest first, each with every attempt: `limit` of them, from before `cursor` (the
 * previous page's nextCursor, an outbox position) when given.
 */
export async function listDeliveries(
  db: EntityManager,
  subscriptionId: string,
  page: { limit: number; cursor?: string },
): Promise<DeliveryPage> {
  const rows: {
    id: string;
    position: string;
    event_id: string;
    type: string;
    statement_id: string | null;
    state: string;
    next_attempt_at: Date;
    delivered_at: Date | null;
    attempts: { attemptedAt: string; statusCode: number | null; latencyMs: number; error: string | null }[];
  }[] = await db.query(
    `SELECT d.id, d.position::text AS position, o.event_id, e.type, d.statement_id, d.state, d.next_attempt_at,
       d.delivered_at,
       COALESCE((SELECT json_agg(json_build_object('attemptedAt', a.attempted_at, 'statusCode', a.status_code,
                  'latencyMs', a.latency_ms, 'error', a.error) ORDER BY a.id)
                 FROM delivery_attempts a WHERE a.delivery_id = d.id), '[]') AS attempts
     FROM deliveries d JOIN event_outbox o ON o.position = d.position JOIN events e ON e.id = o.event_id
     WHERE d.subscription_id = $1 AND ($3::bigint IS NULL OR d.position < $3::bigint)
     ORDER BY d.position DESC LIMIT $2`,
    // one more than asked: whether another page follows
    [subscriptionId, page.limit + 1, page.cursor ?? null],
  );
  const shown = rows.slice(0, page.limit);
  return {
    items: shown.map((r) => ({
      id: r.id,
      webhookId: webhookIdOf(r.event_id),
      eventType: r.type,
      statementId: r.statement_id,
      state: r.state,
      attempts: r.attempts.map((a) => ({ ...a, attemptedAt: new Date(a.attemptedAt).toISOString() })),
      nextAttemptAt: r.state === 'pending' ? r.next_attempt_at.toISOString() : null,
      deliveredAt: r.delivered_at?.toISOString() ?? null,
    })),
    nextCursor: rows.length > page.limit ? shown[shown.length - 1].position : null,
  };
}

function subscriptionView(r: SubscriptionRow): SubscriptionView {
  return {
    id: r.id,
    url: r.url,
    events: r.events,
    accountIds: r.account_ids,
    keywords: r.keywords,
    enabled: r.disabled_at === null,
    disabledAt: r.disabled_at?.toISOString() ?? null,
    disabledReason: r.disabled_reason,
    failingSince: r.failing_since?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
