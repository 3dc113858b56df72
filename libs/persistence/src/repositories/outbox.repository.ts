import { type EntityManager } from 'typeorm';

/** The events of a statement's missing spell: their payloads say when it began and when the post was last seen. */
const SPELL_EVENTS = `'statement.missing', 'statement.deleted', 'statement.restored'`;
/** Those whose post is gone: when it was last seen. (A restoration's would be the check that found it back.) */
const GONE_EVENTS = `'statement.missing', 'statement.deleted'`;

/** Only one outbox sequencer may position events at a time, across every worker process. */
const OUTBOX_LOCK = 7215503;

/** An event with what its subscribers are told about it, read once when it is sequenced. */
export interface OutboxEvent {
  id: string;
  type: string;
  createdAt: Date;
  statementId: string | null;
  accountId: string | null;
  /** for a web page: the other accounts whose lists also found it (statement_sightings) */
  seenBy?: string[];
  versionNumber: number | null;
  statementUrl: string | null;
  statementStatus: string | null;
  text: string | null;
  previousText: string | null;
  recordSha256: string | null;
  leafIndex: string | null;
  account: { id: string; handle: string; platform: string } | null;
  /** for events a recheck observed: the observation, when it was made and the status before it */
  observationId: string | null;
  observedAt: Date;
  previousStatus: string | null;
  /**
   * for status events a recheck observed: why, as the platform showed it (the observation's reason: `login-wall`,
   * `private`, `account-suspended`…); for an `account.unavailable` without an observation of its own, the account's
   */
  statusReason: string | null;
  /** `statement.missing`, `.deleted`: when the archive last saw the post (a poll or a recheck found it) */
  lastSeenAt: Date | null;
  /**
   * `statement.missing`, `.deleted`, `.restored`: the first "not there" answer of the missing spell the event
   * confirmed or ended (the `missing` observation at or before it)
   */
  missingSince: Date | null;
  /** for events about a platform (`connector.*`): which one, and why */
  platform: string | null;
  detail: string | null;
  /** `statement.quoted`: the quotation (a document's claim) and what it claims */
  quotation: OutboxQuotation | null;
}

export interface OutboxQuotation {
  id: string;
  quotedStatementId: string;
  platform: string;
  claimedHandle: string;
  claimedName: string | null;
  claimedDate: string | null;
  /** where the quoting document was published, as whoever gave it to us said */
  sourceUrl: string | null;
  postUrl: string | null;
  foundIn: string;
}

interface OutboxEventRow {
  id: string;
  type: string;
  created_at: Date;
  statement_id: string | null;
  account_id: string | null;
  seen_by: string[] | null;
  version_number: number | null;
  url: string | null;
  status: string | null;
  text: string | null;
  previous_text: string | null;
  record_sha256: string | null;
  leaf_index: string | null;
  handle: string | null;
  platform: string | null;
  observation_id: string | null;
  observed_at: Date;
  previous_status: string | null;
  status_reason: string | null;
  last_seen_at: Date | null;
  missing_since: Date | null;
  event_platform: string | null;
  detail: string | null;
  quotation_id: string | null;
  quoted_statement_id: string | null;
  quoted_platform: string | null;
  claimed_handle: string | null;
  claimed_name: string | null;
  claimed_date: string | null;
  source_url: string | null;
  post_url: string | null;
  found_in: string | null;
}

/**
 * Starts a sequencing round: takes the sequencer lock (false: another process holds it) and reads the
 * boundary below which every event already has a position, and the new one: no transaction older than
 * `horizon` is still running, so every event they wrote is visible now and no other ever will be.
 */
export async function beginOutboxRound(
  tx: EntityManager,
): Promise<{ sequencedBelow: string; horizon: string } | null> {
  // the snapshot first: a lock taken below gives this transaction an id that would hold the horizon back
  const [{ horizon }]: { horizon: string }[] = await tx.query(
    `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon`,
  );
  const [{ locked }]: { locked: boolean }[] = await tx.query(
    `SELECT pg_try_advisory_xact_lock($1) AS locked`,
    [OUTBOX_LOCK],
  );
  if (!locked) return null;
  const [{ below }]: { below: string }[] = await tx.query(
    `SELECT sequenced_below::text AS below FROM outbox_state WHERE id = 1`,
  );
  return { sequencedBelow: below, horizon };
}

/** Events of finished transactions that have no position yet, in id order, with their payload data. */
export async function unsequencedEvents(
  tx: EntityManager,
  round: { sequencedBelow: string; horizon: string },
  limit: number,
): Promise<OutboxEvent[]> {
  // The batch of events first (by the xid range's index, then sorted), then one index probe per join for each of
  // them, in the order written: the cost follows the batch, never the tables. Left to search every order of its
  // eleven tables, PostgreSQL took 30-45 ms to plan this on each call. Left to pick its joins from statistics of
  // small tables (a young archive, or one without autovacuum) it hashed or merged whole tables instead: 26 ms a
  // call on average and 434 ms at the end of a 300 s bench:scale run, at 43,000 events, for a batch of 69.
  await tx.query(
    `SET LOCAL join_collapse_limit = 1; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off`,
  );
  const rows: OutboxEventRow[] = await tx.query(
    `WITH batch AS MATERIALIZED (
       SELECT e.id FROM events e
       WHERE e.xid >= $1::xid8 AND e.xid < $2::xid8
         AND NOT EXISTS (SELECT 1 FROM event_outbox o WHERE o.event_id = e.id)
       ORDER BY e.id
       LIMIT $3)
     SELECT e.id, e.type, e.created_at, e.statement_id, e.account_id, e.version_number,
            s.url, s.status, COALESCE(qn.quoted_text, v.record->>'text', s.latest_text) AS text,
            pv.record->>'text' AS previous_text, COALESCE(v.record_sha256, qn.record_sha256) AS record_sha256,
            COALESCE(le.idx, lo.idx)::text AS leaf_index, a.handle, a.platform,
            e.observation_id, COALESCE(ob.observed_at, qn.extracted_at, e.created_at) AS observed_at,
            ob.previous_status, e.platform AS event_platform, e.detail,
            COALESCE(ob.reason, CASE WHEN e.type = 'account.unavailable' THEN a.unavailable_reason END) AS status_reason,
            CASE WHEN e.type IN (${GONE_EVENTS}) THEN s.last_seen_at END AS last_seen_at, spell.missing_since,
            e.quotation_id, qn.quoted_statement_id, qs.platform AS quoted_platform, qn.claimed_handle,
            qn.claimed_name, to_char(qn.claimed_date, 'YYYY-MM-DD') AS claimed_date, qn.source_url, qn.post_url,
            qn.found_in,
            CASE WHEN s.platform = 'web'
                 THEN ARRAY(SELECT g.account_id FROM statement_sightings g WHERE g.statement_id = s.id
                       ORDER BY g.first_seen_at, g.account_id)
            END AS seen_by
     FROM batch b
     JOIN events e ON e.id = b.id
     LEFT JOIN quotations qn ON qn.id = e.quotation_id
     LEFT JOIN quoted_statements qs ON qs.id = qn.quoted_statement_id
     LEFT JOIN statements s ON s.id = e.statement_id
     LEFT JOIN accounts a ON a.id = e.account_id
     LEFT JOIN versions v ON v.statement_id = e.statement_id AND v.number = e.version_number
     LEFT JOIN versions pv ON pv.statement_id = e.statement_id AND pv.number = e.version_number - 1
     -- the version's own entry: its media's entries share the statement and version, and come after it
     LEFT JOIN LATERAL (
       SELECT l.idx FROM log_entries l
       WHERE l.statement_id = e.statement_id AND l.version_number = e.version_number
       ORDER BY l.idx LIMIT 1) le ON true
     LEFT JOIN observations ob ON ob.id = e.observation_id
     LEFT JOIN log_entries lo ON lo.observation_id = e.observation_id
     -- the start of the missing spell a deletion confirmed or a restoration ended: statements.missing_since is
     -- cleared by then, the observation that set it stays
     LEFT JOIN LATERAL (
       SELECT m.observed_at AS missing_since FROM observations m
       WHERE e.type IN (${SPELL_EVENTS}) AND m.statement_id = e.statement_id AND m.status = 'missing'
         AND m.observed_at <= ob.observed_at
       ORDER BY m.observed_at DESC LIMIT 1) spell ON true
     ORDER BY e.id`,
    [round.sequencedBelow, round.horizon, limit],
  );
  await tx.query(
    `SET LOCAL join_collapse_limit TO DEFAULT; SET LOCAL enable_hashjoin TO DEFAULT; SET LOCAL enable_mergejoin TO DEFAULT`,
  );
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    createdAt: r.created_at,
    statementId: r.statement_id,
    accountId: r.account_id,
    ...(r.seen_by && r.seen_by.length > 0 ? { seenBy: r.seen_by } : {}),
    versionNumber: r.version_number,
    statementUrl: r.url,
    statementStatus: r.status,
    text: r.text,
    previousText: r.previous_text,
    recordSha256: r.record_sha256,
    leafIndex: r.leaf_index,
    account:
      r.account_id && r.handle && r.platform
        ? { id: r.account_id, handle: r.handle, platform: r.platform }
        : null,
    observationId: r.observation_id,
    observedAt: r.observed_at,
    previousStatus: r.previous_status,
    statusReason: r.status_reason,
    lastSeenAt: r.last_seen_at,
    missingSince: r.missing_since,
    platform: r.event_platform ?? r.platform,
    detail: r.detail,
    quotation:
      r.quotation_id && r.quoted_statement_id
        ? {
            id: r.quotation_id,
            quotedStatementId: r.quoted_statement_id,
            platform: r.quoted_platform!,
            claimedHandle: r.claimed_handle!,
            claimedName: r.claimed_name,
            claimedDate: r.claimed_date,
            sourceUrl: r.source_url,
            postUrl: r.post_url,
            foundIn: r.found_in!,
          }
        : null,
  }));
}

/** Gives the events the next positions, in the order given, with the body every subscriber will receive. */
export async function appendToOutbox(
  tx: EntityManager,
  entries: { eventId: string; payload: Buffer }[],
): Promise<string[]> {
  if (entries.length === 0) return [];
  const rows: { position: string }[] = await tx.query(
    `INSERT INTO event_outbox (position, event_id, payload)
     SELECT (SELECT COALESCE(max(position), 0) FROM event_outbox) + t.ord, t.event_id, t.payload
     FROM unnest($1::bigint[], $2::bytea[]) WITH ORDINALITY AS t(event_id, payload, ord)
     RETURNING position`,
    [entries.map((e) => e.eventId), entries.map((e) => e.payload)],
  );
  return rows.map((r) => r.position).sort((a, b) => Number(a) - Number(b));
}

/** Ends a round that read everything below the horizon: later rounds start there. */
export async function advanceOutboxBoundary(tx: EntityManager, horizon: string): Promise<void> {
  await tx.query(
    `UPDATE outbox_state SET sequenced_below = GREATEST(sequenced_below, $1::xid8) WHERE id = 1`,
    [horizon],
  );
}

/** Whether events wait for a position (their sequencing job may have been lost with a flushed Redis). */
export async function hasUnsequencedEvents(db: EntityManager): Promise<boolean> {
  const [{ waiting }]: { waiting: boolean }[] = await db.query(
    `SELECT EXISTS (
       SELECT 1 FROM events e, outbox_state st
       WHERE st.id = 1 AND e.xid >= st.sequenced_below
         AND NOT EXISTS (SELECT 1 FROM event_outbox o WHERE o.event_id = e.id)
     ) AS waiting`,
  );
  return waiting;
}

/** Tells listening API processes (the live stream) that new positions exist; delivered at commit. */
export async function notifyOutbox(tx: EntityManager, lastPosition: string): Promise<void> {
  await tx.query(`SELECT pg_notify('verbatim_outbox', $1)`, [lastPosition]);
}

/** Positioned events after `position`, oldest first: for the live stream and its resume. */
export async function outboxAfter(
  db: EntityManager,
  position: string,
  limit: number,
): Promise<{ position: string; eventId: string; payload: Buffer }[]> {
  const rows: { position: string; event_id: string; payload: Buffer }[] = await db.query(
    `SELECT position, event_id, payload FROM event_outbox WHERE position > $1 ORDER BY position LIMIT $2`,
    [position, limit],
  );
  return rows.map((r) => ({ position: r.position, eventId: r.event_id, payload: r.payload }));
}

/** The newest position, or '0' when nothing was sequenced yet. */
export async function latestOutboxPosition(db: EntityManager): Promise<string> {
  const [{ position }]: { position: string }[] = await db.query(
    `SELECT COALESCE(max(position), 0)::text AS position FROM event_outbox`,
  );
  return position;
}
