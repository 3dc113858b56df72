import { type EntityManager } from 'typeorm';
import { PLATFORM_NOT_DEGRADED } from './platform-health.repository';
import { type StatementStatus } from '@app/core';
import { buildLogEntry } from '@app/ledger';
import { type PreparedArtifact } from './capture.repository';
import { insertArtifacts } from './artifact-rows';

/** A statement whose recheck is due, and the due time its job claims it by. */
/**
 * The order statement rows are locked in, the capture writer's (upsertStatements sorts by account, then post id,
 * comparing code units: byte order for the ASCII ids platforms give). A poll may write another account's web page,
 * so a recheck of that account and the poll lock some of the same rows: in one order, neither waits on the other.
 */
const STATEMENT_LOCK_ORDER = 's.account_id, s.external_id COLLATE "C"';

export interface DueRecheck {
  id: string;
  dueAt: Date;
}

export interface DueRecheckBatch {
  accountId: string;
  statements: DueRecheck[];
}

/**
 * Statements due to be re-read, oldest due first, in batches of at most `batchSize` per account. Accounts that
 * are paused, or whose poll is due (new posts go first), wait for a later tick.
 */
export async function selectDueRechecks(
  db: EntityManager,
  now: Date,
  limit: number,
  batchSize: number,
): Promise<DueRecheckBatch[]> {
  // In the due index's order (next_check_at, account_id), each statement's account probed by its key: left to
  // plan a join from statistics of small tables (a young archive, or one without autovacuum), PostgreSQL read both
  // tables whole and hashed them on every tick (40 ms a tick on average in a 300 s bench:scale run, 0 rows due).
  // The LIMIT 1 keeps the account's probe a subquery PostgreSQL cannot merge into such a join again. Due
  // statements that cannot be taken yet (a paused account's, a degraded platform's, those of accounts whose poll
  // is due) are probed one by one on every tick until they can.
  const rows: { id: string; account_id: string; next_check_at: Date }[] = await db.query(
    `SELECT s.id, s.account_id, s.next_check_at FROM statements s
     CROSS JOIN LATERAL (
       SELECT 1 FROM accounts a
       WHERE a.id = s.account_id AND NOT a.paused AND NOT (a.tracking AND a.next_poll_at <= $1)
         AND ${PLATFORM_NOT_DEGRADED}
       LIMIT 1) ready
     WHERE s.next_check_at <= $1
     ORDER BY s.next_check_at, s.account_id, s.id LIMIT $2`,
    [now, limit],
  );
  const batches: DueRecheckBatch[] = [];
  const open = new Map<string, DueRecheckBatch>();
  for (const row of rows) {
    let batch = open.get(row.account_id);
    if (!batch || batch.statements.length >= batchSize) {
      batch = { accountId: row.account_id, statements: [] };
      open.set(row.account_id, batch);
      batches.push(batch);
    }
    batch.statements.push({ id: row.id, dueAt: row.next_check_at });
  }
  return batches;
}

/** A statement as a recheck needs it: where to find it and what the state machine remembers. */
export interface RecheckTarget {
  id: string;
  externalId: string;
  url: string;
  status: StatementStatus;
  missingSince: Date | null;
  /** authored_at, or first_captured_at when the platform gave no time: the age the schedule decays by */
  publishedAt: Date;
  /** our latest version's edit time and content hash, for the connector to tell an edit we missed */
  held: { editedAt: string | null; contentSha256: string } | null;
  /** since when its re-checks have been put off for our own load, null when the last one was not */
  deferredSince: Date | null;
}

/** The statements of `due` that still wait for exactly that due time (the others were handled already). */
export async function findRecheckTargets(
  db: EntityManager,
  accountId: string,
  due: DueRecheck[],
  lock = false,
): Promise<RecheckTarget[]> {
  if (due.length === 0) return [];
  const rows: {
    id: string;
    external_id: string;
    url: string;
    status: StatementStatus;
    missing_since: Date | null;
    published_at: Date;
    held_edited_at: string | null;
    held_content_sha256: string | null;
    recheck_deferred_since: Date | null;
  }[] = await db.query(
    `SELECT s.id, s.external_id, s.url, s.status, s.missing_since, COALESCE(s.authored_at, s.first_captured_at) AS published_at,
       s.recheck_deferred_since,
       v.record->>'editedAt' AS held_edited_at, v.content_sha256 AS held_content_sha256
     FROM statements s JOIN unnest($2::uuid[], $3::timestamptz[]) AS d(id, due) ON d.id = s.id
     LEFT JOIN versions v ON v.statement_id = s.id AND v.number = s.latest_version
     WHERE s.account_id = $1 AND s.next_check_at = d.due
     ORDER BY ${STATEMENT_LOCK_ORDER} ${lock ? 'FOR UPDATE OF s' : ''}`,
    [accountId, due.map((d) => d.id), due.map((d) => d.dueAt)],
  );
  return rows.map((r) => ({
    id: r.id,
    externalId: r.external_id,
    url: r.url,
    status: r.status,
    missingSince: r.missing_since,
    publishedAt: r.published_at,
    held:
      r.held_content_sha256 === null
        ? null
        : { editedAt: r.held_edited_at, contentSha256: r.held_content_sha256 },
    deferredSince: r.recheck_deferred_since,
  }));
}

/**
 * Puts off the re-check of statements still due at the given times (the same claim as a completed re-check's) to
 * `until`, for our own load: not checked, nothing else changed; each keeps `since`, its first deferral in a row.
 * The scheduler offers them again at `until`, from PostgreSQL, so a flushed Redis keeps the spacing. Returns how
 * many it moved.
 */
export async function deferRechecks(
  db: EntityManager,
  statements: (DueRecheck & { since: Date })[],
  until: Date,
): Promise<number> {
  if (statements.length === 0) return 0;
  // rows locked in the writer's order, so the two never wait on each other in opposite orders; TypeORM answers
  // an UPDATE with [rows, rowCount]
  const [, moved]: [unknown[], number] = await db.query(
    `WITH wanted AS (
       SELECT s.id, d.since FROM statements s
       JOIN unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS d(id, due, since) ON s.id = d.id
       WHERE s.next_check_at = d.due
       ORDER BY ${STATEMENT_LOCK_ORDER} FOR UPDATE OF s
     )
     UPDATE statements s SET next_check_at = $4, recheck_deferred_since = w.since
     FROM wanted w WHERE s.id = w.id`,
    [statements.map((d) => d.id), statements.map((d) => d.dueAt), statements.map((d) => d.since), until],
  );
  return moved;
}

/** What a recheck leaves on a statement: its next due time and, when it changed, its status. */
export interface RecheckedStatement {
  id: string;
  nextCheckAt: Date | null;
  status: StatementStatus;
  statusChanged: boolean;
  statusReason: string | null;
  missingSince: Date | null;
}

export async function completeRechecks(
  db: EntityManager,
  checkedAt: Date,
  statements: RecheckedStatement[],
): Promise<void> {
  if (statements.length === 0) return;
  await db.query(
    `UPDATE statements s SET next_check_at = t.next, last_checked_at = $1, status = t.status,
       missing_since = t.missing_since, recheck_deferred_since = NULL,
       status_reason = CASE WHEN t.changed THEN t.reason ELSE s.status_reason END,
       status_changed_at = CASE WHEN t.changed THEN $1 ELSE s.status_changed_at END
     FROM unnest($2::uuid[], $3::timestamptz[], $4::text[], $5::boolean[], $6::text[], $7::timestamptz[])
       AS t(id, next, status, changed, reason, missing_since)
     WHERE s.id = t.id`,
    [
      checkedAt,
      statements.map((s) => s.id),
      statements.map((s) => s.nextCheckAt),
      statements.map((s) => s.status),
      statements.map((s) => s.statusChanged),
      statements.map((s) => s.statusReason),
      statements.map((s) => s.missingSince),
    ],
  );
}

/** One observation to record: a status transition with the platform's answers that showed it. */
export interface NewObservation {
  statementId: string;
  accountId: string;
  status: StatementStatus;
  previousStatus: StatementStatus;
  reason: string | null;
  detail: string | null;
  httpStatus: number | null;
  observedAt: Date;
  evidence: PreparedArtifact[];
  /** the event it is announced by, or null when an account-level event speaks for it */
  event: string | null;
}

/**
 * Writes observations with their evidence (content-addressed artifacts and links), their events, and one
 * `observation` log entry each, waiting for the sequencer. Returns the new observation ids, in order.
 */
export async function writeObservations(
  db: EntityManager,
  observations: NewObservation[],
  logOrigin: string,
): Promise<string[]> {
  if (observations.length === 0) return [];
  const artifacts = new Map<string, PreparedArtifact>();
  for (const o of observations) for (const a of o.evidence) artifacts.set(a.sha256, a);
  await insertArtifacts(db, [...artifacts.values()]);
  const inserted: { id: string }[] = await db.query(
    `INSERT INTO observations (statement_id, account_id, status, previous_status, reason, detail, http_status, observed_at)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::timestamptz[])
     RETURNING id`,
    [
      observations.map((o) => o.statementId),
      observations.map((o) => o.accountId),
      observations.map((o) => o.status),
      observations.map((o) => o.previousStatus),
      observations.map((o) => o.reason),
      observations.map((o) => o.detail),
      observations.map((o) => o.httpStatus),
      observations.map((o) => o.observedAt),
    ],
  );
  // INSERT … SELECT FROM unnest keeps the order of the arrays
  const ids = inserted.map((r) => r.id);
  const links = observations.flatMap((o, i) => distinct(o.evidence).map((a) => ({ id: ids[i], ...a })));
  if (links.length > 0) {
    await db.query(
      `INSERT INTO observation_artifacts (observation_id, sha256, role, media_type, url)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])`,
      [
        links.map((l) => l.id),
        links.map((l) => l.sha256),
        links.map((l) => l.role),
        links.map((l) => l.mediaType),
        links.map((l) => l.url ?? null),
      ],
    );
  }
  const announced = observations.flatMap((o, i) => (o.event === null ? [] : [{ o, id: ids[i] }]));
  if (announced.length > 0) {
    await insertStatusEvents(
      db,
      announced.map(({ o, id }) => ({
        type: o.event!,
        statementId: o.statementId,
        accountId: o.accountId,
        observationId: id,
      })),
    );
  }
  const entries = observations.map((o) =>
    Buffer.from(
      buildLogEntry({
        type: 'observation',
        statementId: o.statementId,
        status: o.status,
        ...(o.reason !== null ? { reason: o.reason } : {}),
        artifacts: distinct(o.evidence).map(({ role, mediaType, size, sha256 }) => ({
          role,
          mediaType,
          size,
          sha256,
        })),
        capturedAt: o.observedAt.toISOString(),
        origin: logOrigin,
      }),
    ),
  );
  await db.query(
    `INSERT INTO log_pending (entry, statement_id, observation_id) SELECT * FROM unnest($1::bytea[], $2::uuid[], $3::uuid[])`,
    [entries, observations.map((o) => o.statementId), ids],
  );
  return ids;
}

export interface StatusEvent {
  type: string;
  statementId: string;
  accountId: string;
  observationId: string | null;
}

export async function insertStatusEvents(db: EntityManager, events: StatusEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `INSERT INTO events (type, statement_id, account_id, observation_id)
     SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::uuid[])`,
    [
      events.map((e) => e.type),
      events.map((e) => e.statementId),
      events.map((e) => e.accountId),
      events.map((e) => e.observationId),
    ],
  );
}

/**
 * The account's availability, locked for this transaction (one recheck of an account decides at a time). NO KEY
 * UPDATE: what a poll's row update takes too, while the key-share locks of rows that refer to the account (a
 * statement or event inserted meanwhile) do not wait for it.
 */
export async function lockAccountAvailability(
  db: EntityManager,
  accountId: string,
): Promise<{ unavailable: boolean; reason: string | null }> {
  const [row]: { unavailable_since: Date | null; unavailable_reason: string | null }[] = await db.query(
    `SELECT unavailable_since, unavailable_reason FROM accounts WHERE id = $1 FOR NO KEY UPDATE`,
    [accountId],
  );
  return { unavailable: row?.unavailable_since != null, reason: row?.unavailable_reason ?? null };
}

export async function setAccountAvailability(
  db: EntityManager,
  accountId: string,
  next: { unavailable: boolean; reason: string | null },
  at: Date,
): Promise<void> {
  await db.query(
    `UPDATE accounts SET unavailable_since = CASE WHEN $2 THEN $3::timestamptz END, unavailable_reason = $4, updated_at = now() WHERE id = $1`,
    [accountId, next.unavailable, at, next.reason],
  );
}

function distinct<T extends { sha256: string }>(items: T[]): T[] {
  return [...new Map(items.map((item) => [item.sha256, item])).values()];
}

/**
 * Brings forward to `now` the recheck of an account's active statements named by their platform ids: a
 * source's hint that they vanished (a gap in Telegram's message ids). Only a recheck answers; statements
 * already missing keep the time their confirmation is due. Returns how many were brought forward.
 */
export async function recheckSoon(
  db: EntityManager,
  accountId: string,
  externalIds: string[],
  now: Date,
): Promise<number> {
  if (externalIds.length === 0) return 0;
  // rows locked in the writer's order: a plain UPDATE takes them in the order its plan reads them (table order, in
  // a sequential or bitmap scan), and could hold one that a recheck or a poll waits for while it waits for another
  const rows: { id: string }[] = await db.query(
    `WITH soon AS (
       SELECT s.id FROM statements s
       WHERE s.account_id = $1 AND s.external_id = ANY($2::text[]) AND s.status = 'active'
         AND (s.next_check_at IS NULL OR s.next_check_at > $3)
       ORDER BY ${STATEMENT_LOCK_ORDER} FOR NO KEY UPDATE OF s
     )
     UPDATE statements s SET next_check_at = $3 FROM soon WHERE s.id = soon.id
     RETURNING s.id`,
    [accountId, externalIds, now],
  );
  return rows.length;
}

/**
 * `recheckSoon` for posts a push source names by account and post platform ids (a Jetstream delete event names
 * the repository's DID and the record), whichever of our accounts holds them. Returns how many were brought
 * forward.
 */
export async function recheckSoonByPlatformIds(
  db: EntityManager,
  platform: string,
  posts: { accountExternalId: string; postExternalId: string }[],
  now: Date,
): Promise<number> {
  if (posts.length === 0) return 0;
  // rows locked in the writer's order, as in recheckSoon
  const rows: { id: string }[] = await db.query(
    `WITH named AS (
       SELECT * FROM unnest($2::text[], $3::text[]) AS n(account_external_id, external_id)
     ), wanted AS (
       SELECT s.id FROM statements s
       JOIN named n ON s.external_id = n.external_id
       JOIN accounts a ON a.id = s.account_id AND a.platform = $1 AND a.external_id = n.account_external_id
       WHERE s.status = 'active' AND (s.next_check_at IS NULL OR s.next_check_at > $4)
       ORDER BY ${STATEMENT_LOCK_ORDER} FOR NO KEY UPDATE OF s
     ), soon AS (
       UPDATE statements s SET next_check_at = $4 FROM wanted w WHERE s.id = w.id
       RETURNING s.id)
     SELECT id FROM soon`,
    [platform, posts.map((p) => p.accountExternalId), posts.map((p) => p.postExternalId), now],
  );
  return rows.length;
}
