import { type EntityManager } from 'typeorm';
import { runPrepared } from '../prepared';

export interface DueAccount {
  id: string;
  dueAt: Date;
}

/** Which enqueued polls still hold their jobs, as far as PostgreSQL can tell (see `markPollsQueued`). */
export interface QueuedMarks {
  /** the poll queue's current epoch: a mark made under another one lost its job with a flushed Redis */
  epoch: string;
  /** a mark older than this (by the database's clock) may have lost its job (one that failed for good) */
  requeueAfterMs: number;
}

export interface DueSelection {
  /** at most this many */
  limit: number;
  /** each host's rate budget for the window: at most this many of its due polls waiting or offered */
  perHost?: number;
  marks: QueuedMarks;
  /** how many poll jobs Redis holds (their accounts are read and skipped): a hint for how far to read */
  queued?: number;
  /** below this many due accounts all are ranked in one sort; from it on, host by host (`DUE_SORT_ALL_BELOW`) */
  sortAllBelow?: number;
}

/**
 * Fewer due accounts than this are ranked in one sort of them all (a caught-up archive: a tick's worth); more
 * are read host by host. Reading host by host costs two index probes per host every tick, due or not, which a
 * caught-up archive of thousands of instances should not pay; sorting every due account costs what the
 * backlog holds (100,000 due: ~300 ms a tick, against ~70 ms host by host).
 */
export const DUE_SORT_ALL_BELOW = 5_000;

/** An account's host, as the due-poll index `accounts_due_by_host` has it. */
const HOST = `split_part(a.source_url, '/', 3)`;

const DUE = `a.tracking AND NOT a.paused AND a.next_poll_at <= $1`;

/**
 * The mark's condition: an account whose job was enqueued for this due time in this epoch, recently, is not
 * offered again. Looked up in turn order, and only until the limit is reached: a scalar subquery, so that the
 * planner cannot make it a join that reads every mark.
 */
const UNMARKED = (epoch: string, requeueAfterMs: string) => `(
  SELECT m.due FROM poll_marks m
  WHERE m.account_id = due.id AND m.epoch = ${epoch} AND m.queued_at >= now() - ${requeueAfterMs} * interval '1 millisecond'
) IS DISTINCT FROM due.next_poll_at`;

/**
 * Tracked, unpaused accounts whose next poll time has come, taken in turns across hosts: each host's oldest
 * due account first, then each host's second, and so on. When the archive is behind, one busy instance with
 * thousands of due accounts cannot fill the batch while another host's accounts wait; `perHost` caps how many
 * one host gets (its rate budget for the window), the rest stay due for a later call. Accounts of a platform
 * whose canary says its connector is broken wait until it reads again (every poll would fail the same way).
 * An account whose job was enqueued for this due time (`markPollsQueued`) still takes its turn, so it counts
 * against its host's budget, but is not offered again: a tick offers the due polls Redis does not hold yet,
 * not the oldest ones again. Unless its mark is void (another epoch, or older than `requeueAfterMs`).
 *
 * A few due accounts are ranked in one sort; many (an archive behind) host by host, each host's read in order
 * from `accounts_due_by_host`, at most `depth` of them, the depth doubling only while the answer is short and
 * some host had more to read. Both give the same answer.
 */
export async function selectDueAccounts(
  db: EntityManager,
  until: Date,
  selection: DueSelection,
): Promise<DueAccount[]> {
  if (selection.limit <= 0) return [];
  const sortAllBelow = selection.sortAllBelow ?? DUE_SORT_ALL_BELOW;
  // the degraded platforms are passed on as a value, so the planner knows how few rows they remove
  const [{ due, degraded }]: { due: number; degraded: string[] }[] = await db.query(
    `SELECT (SELECT count(*)::int FROM (SELECT 1 FROM accounts a WHERE ${DUE} LIMIT $2) d) AS due,
            ARRAY(SELECT platform FROM platform_health WHERE state = 'degraded') AS degraded`,
    // at least one, to tell whether any is due
    [until, Math.max(1, sortAllBelow)],
  );
  if (due === 0) return [];
  if (due < sortAllBelow) return dueInOneSort(db, until, selection, degraded);
  const hosts = await hostsOfTrackedAccounts(db);
  const budget = selection.perHost ?? Number.MAX_SAFE_INTEGER;
  let depth = Math.min(
    budget,
    Math.max(16, Math.ceil((selection.limit + (selection.queued ?? 0)) / hosts.length)),
  );
  for (;;) {
    const { offered, saturatedHosts } = await dueHostByHost(db, until, selection, hosts, degraded, depth);
    // the answer is exact when it is full (every row left unread comes after it in turn order), when no host
    // had more due accounts than were read, or when the depth is each host's whole budget
    if (offered.length >= selection.limit || saturatedHosts === 0 || depth >= budget) return offered;
    depth = Math.min(budget, depth * 2);
  }
}

/** Every due account ranked in one sort: for a few of them. */
async function dueInOneSort(
  db: EntityManager,
  until: Date,
  selection: DueSelection,
  degraded: string[],
): Promise<DueAccount[]> {
  const rows: { id: string; next_poll_at: Date }[] = await db.query(
    `SELECT id, next_poll_at FROM (
       SELECT a.id, a.next_poll_at,
              row_number() OVER (PARTITION BY ${HOST} ORDER BY a.next_poll_at, a.id) AS turn
       FROM accounts a
       WHERE ${DUE} AND a.platform <> ALL ($3::text[])
       ORDER BY turn, a.next_poll_at, a.id) due
     WHERE turn <= $4 AND ${UNMARKED('$5', '$6')}
     ORDER BY turn, next_poll_at, id LIMIT $2`,
    [
      until,
      selection.limit,
      degraded,
      selection.perHost ?? Number.MAX_SAFE_INTEGER,
      selection.marks.epoch,
      selection.marks.requeueAfterMs,
    ],
  );
  return rows.map((r) => ({ id: r.id, dueAt: r.next_poll_at }));
}

/**
 * Runs reads that must stop at their LIMIT in index order: a bitmap scan reads every matching index entry first.
 * The setting is reset to the server's default after, also for a caller whose transaction this one is a savepoint
 * of.
 */
async function withoutBitmapScans<T>(db: EntityManager, read: (tx: EntityManager) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query(`SET LOCAL enable_bitmapscan = off`);
    const result = await read(tx);
    await tx.query(`SET LOCAL enable_bitmapscan TO DEFAULT`);
    return result;
  });
}

/** The hosts of tracked accounts, one index probe each (a loose index scan of `accounts_due_by_host`). */
async function hostsOfTrackedAccounts(db: EntityManager): Promise<string[]> {
  const [{ hosts }]: { hosts: string[] }[] = await db.query(
    `SELECT ARRAY(
       WITH RECURSIVE hosts(host) AS (
         (SELECT ${HOST} FROM accounts a WHERE a.tracking AND NOT a.paused ORDER BY 1 LIMIT 1)
         UNION ALL
         SELECT (SELECT ${HOST} FROM accounts a WHERE a.tracking AND NOT a.paused AND ${HOST} > h.host
                 ORDER BY 1 LIMIT 1)
         FROM hosts h WHERE h.host IS NOT NULL)
       SELECT host FROM hosts WHERE host IS NOT NULL) AS hosts`,
  );
  return hosts;
}

/** `selectDueAccounts` reading at most `depth` due accounts of each host. */
async function dueHostByHost(
  db: EntityManager,
  until: Date,
  selection: DueSelection,
  hosts: string[],
  degraded: string[],
  depth: number,
): Promise<{ offered: DueAccount[]; saturatedHosts: number }> {
  // Each host's accounts must be read in index order, stopping at `depth`. Without statistics on the host (a
  // table just filled, autovacuum off) the planner guesses a host has a handful of due accounts and would read
  // them all through a bitmap and sort them: 25,000 accounts a host instead of `depth`, on every tick.
  const rows = await withoutBitmapScans(db, async (tx) => {
    const read: { saturated: string; id: string | null; next_poll_at: Date | null }[] = await tx.query(
      `WITH read AS MATERIALIZED (
         SELECT d.id, d.next_poll_at, row_number() OVER (PARTITION BY h.host ORDER BY d.next_poll_at, d.id) AS turn
         FROM unnest($2::text[]) AS h(host)
         CROSS JOIN LATERAL (
           SELECT a.id, a.next_poll_at FROM accounts a
           WHERE ${HOST} = h.host AND ${DUE} AND a.platform <> ALL ($3::text[])
           ORDER BY a.next_poll_at, a.id LIMIT $4) d)
       SELECT (SELECT count(*) FROM read WHERE turn = $4) AS saturated, offer.id, offer.next_poll_at
       FROM (SELECT 1) one LEFT JOIN LATERAL (
         SELECT id, next_poll_at, turn FROM (SELECT * FROM read ORDER BY turn, next_poll_at, id) due
         WHERE ${UNMARKED('$6', '$7')}
         ORDER BY turn, next_poll_at, id LIMIT $5) offer ON true
       ORDER BY offer.turn, offer.next_poll_at, offer.id`,
      [until, hosts, degraded, depth, selection.limit, selection.marks.epoch, selection.marks.requeueAfterMs],
    );
    return read;
  });
  return {
    offered: rows.filter((r) => r.id !== null).map((r) => ({ id: r.id!, dueAt: r.next_poll_at! })),
    saturatedHosts: Number(rows[0].saturated),
  };
}

/**
 * Notes that a poll job was enqueued for each account's due time, in the queue's `epoch`, after the jobs are in
 * Redis (a crash between the two only means the next tick offers them again, and their deterministic job ids
 * make that a no-op). Rows are written in account order, so that two schedulers marking at once cannot
 * deadlock; the accounts themselves are not touched.
 */
export async function markPollsQueued(db: EntityManager, polls: DueAccount[], epoch: string): Promise<void> {
  if (polls.length === 0) return;
  const ordered = [...polls].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  await runPrepared(
    db,
    `INSERT INTO poll_marks (account_id, due, queued_at, epoch)
     SELECT id, due, now(), $3 FROM unnest($1::uuid[], $2::timestamptz[]) AS d(id, due)
     ON CONFLICT (account_id) DO UPDATE SET due = EXCLUDED.due, queued_at = EXCLUDED.queued_at, epoch = EXCLUDED.epoch`,
    [ordered.map((p) => p.id), ordered.map((p) => p.dueAt), epoch],
  );
}

/** A poll's hold on an account: the due time its job was made for. Only one poll per due time may finish. */
export interface PollClaim {
  accountId: string;
  due: Date;
}

/**
 * Moves the account past a poll that read the source: new cursor, next due time, status. Returns false (and
 * changes nothing) when the due time was already handled, by a replayed job or another worker.
 */
export async function completePoll(
  db: EntityManager,
  claim: PollClaim,
  next: { cursor: unknown; nextPollAt: Date; status: 'ok' | 'unchanged' },
): Promise<boolean> {
  const [, claimed]: [unknown, number] = await db.query(
    `UPDATE accounts SET cursor = $3, next_poll_at = $4, last_polled_at = now(), last_poll_status = $5,
       last_error = NULL, last_error_code = NULL, consecutive_failures = 0, deferred_since = NULL, updated_at = now()
     WHERE id = $1 AND next_poll_at = $2 AND tracking`,
    [claim.accountId, claim.due, next.cursor ?? {}, next.nextPollAt, next.status],
  );
  return claimed > 0;
}

/** One poll of a batch that read the source: the claim it holds and where it moves the account. */
export interface PollCompletion extends PollClaim {
  cursor: unknown;
  nextPollAt: Date;
  status: 'ok' | 'unchanged';
}

/**
 * Times for a `timestamptz[]` parameter, as ISO 8601 text: the pg driver formats a Date in JavaScript, digit by
 * digit, at several times the cost of `toISOString`, which PostgreSQL reads as the same instant.
 */
function isoTimes(times: Date[]): string[] {
  return times.map((t) => t.toISOString());
}

/**
 * Polls' cursors as ONE JSON array, read back with `jsonb_array_elements … WITH ORDINALITY`: inside a `jsonb[]` the
 * driver would escape every quote of every cursor into the array's text, and PostgreSQL unescape it again.
 */
function cursorsJson(polls: { cursor?: unknown }[]): string {
  return `[${polls.map((p) => JSON.stringify(p.cursor ?? {})).join(',')}]`;
}

/**
 * `completePoll` for many polls in ONE statement: each poll's claim is checked on its own row exactly as
 * `completePoll` checks it, and only the accounts whose claim held are moved. Returns their ids. At most one
 * poll per account.
 */
export async function completePolls(db: EntityManager, polls: PollCompletion[]): Promise<Set<string>> {
  if (polls.length === 0) return new Set();
  // in id order, so concurrent batches lock account rows in one order
  const sorted = [...polls].sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
  // TypeORM answers an UPDATE … RETURNING with [rows, rowCount]
  const [rows]: [{ id: string }[], number] = await db.query(
    `UPDATE accounts a SET cursor = c.cursor, next_poll_at = p.next_poll_at, last_polled_at = now(),
       last_poll_status = p.status, last_error = NULL, last_error_code = NULL, consecutive_failures = 0,
       deferred_since = NULL, updated_at = now()
     FROM unnest($1::uuid[], $2::timestamptz[], $4::timestamptz[], $5::text[]) WITH ORDINALITY
       AS p(id, due, next_poll_at, status, k)
     JOIN jsonb_array_elements($3::jsonb) WITH ORDINALITY AS c(cursor, k) USING (k)
     WHERE a.id = p.id AND a.next_poll_at = p.due AND a.tracking
     RETURNING a.id`,
    [
      sorted.map((p) => p.accountId),
      isoTimes(sorted.map((p) => p.due)),
      cursorsJson(sorted),
      isoTimes(sorted.map((p) => p.nextPollAt)),
      sorted.map((p) => p.status),
    ],
  );
  return new Set(rows.map((r) => r.id));
}

/** One quiet poll of a batch: the claim it holds, where it moves the account, and its run. */
export interface QuietPollCompletion extends PollClaim {
  cursor: unknown;
  nextPollAt: Date;
  startedAt: Date;
  httpStatus: number | null;
}

/**
 * Completes many quiet polls (the source said nothing changed) in ONE statement, atomic by itself: claims and
 * moves the accounts (status `unchanged`), then records each claimed poll's run as `recordCaptureRun` would,
 * extending the account's latest run when that is a quiet one with the same HTTP status and no note, else
 * adding a row. Each poll's claim is checked on its own row exactly as `completePoll` checks it. Returns the
 * ids of the accounts whose claim held; a poll whose due time was already handled changed nothing.
 * At most one poll per account.
 */
export async function completeQuietPolls(
  db: EntityManager,
  polls: QuietPollCompletion[],
  finishedAt: Date,
): Promise<Set<string>> {
  if (polls.length === 0) return new Set();
  // in id order, so two batches sharing accounts tend to lock rows in the same order; should they deadlock anyway,
  // PostgreSQL aborts one statement, and the writer then writes that batch poll by poll
  const sorted = [...polls].sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
  // the latest run: see recordCaptureRun
  const { rows } = await runPrepared<{ id: string }>(
    db,
    `WITH polls AS (
       SELECT p.id, p.due, c.cursor, p.next_poll_at, p.started_at, p.http_status
       FROM unnest($1::uuid[], $2::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::int[]) WITH ORDINALITY
         AS p(id, due, next_poll_at, started_at, http_status, k)
       JOIN jsonb_array_elements($3::jsonb) WITH ORDINALITY AS c(cursor, k) USING (k)
     ), claimed AS (
       UPDATE accounts a SET cursor = p.cursor, next_poll_at = p.next_poll_at, last_polled_at = now(),
         last_poll_status = 'unchanged', last_error = NULL, last_error_code = NULL, consecutive_failures = 0,
         deferred_since = NULL, updated_at = now()
       FROM polls p
       WHERE a.id = p.id AND a.next_poll_at = p.due AND a.tracking
       RETURNING a.id, p.started_at, p.http_status
     ), latest AS (
       SELECT c.*, (SELECT r.id FROM capture_runs r WHERE r.account_id = c.id ORDER BY r.id DESC LIMIT 1) AS run_id
       FROM claimed c
     ), extended AS (
       UPDATE capture_runs r SET polls = r.polls + 1, finished_at = $7
       FROM latest l
       WHERE r.id = l.run_id AND r.outcome = 'unchanged' AND r.http_status IS NOT DISTINCT FROM l.http_status
         AND r.error_code IS NULL AND r.error IS NULL
       RETURNING r.account_id
     ), added AS (
       INSERT INTO capture_runs (account_id, started_at, finished_at, outcome, http_status, posts_seen, posts_new, versions_new)
       SELECT id, started_at, $7, 'unchanged', http_status, 0, 0, 0 FROM claimed
       WHERE id NOT IN (SELECT account_id FROM extended)
     )
     SELECT id FROM claimed`,
    [
      sorted.map((p) => p.accountId),
      isoTimes(sorted.map((p) => p.due)),
      cursorsJson(sorted),
      isoTimes(sorted.map((p) => p.nextPollAt)),
      isoTimes(sorted.map((p) => p.startedAt)),
      sorted.map((p) => p.httpStatus),
      finishedAt,
    ],
  );
  return new Set(rows.map((r) => r.id));
}

/** How a failed poll leaves its account: when to try again, and what to show until then. */
export interface PollFailureRecord {
  nextPollAt: Date;
  consecutiveFailures: number;
  errorCode: string;
  error: string;
  /** start the account over: its stored cursor was unreadable */
  resetCursor: boolean;
  /**
   * false when our own load refused the poll (`local-overload`): the account keeps its status, last error and
   * failure count, its next poll moves, and it is marked deferred (since its first deferral in a row)
   */
  againstSource: boolean;
}

/**
 * Records a failed poll on the account and moves it to its retry time. Returns false when the due time was
 * already handled.
 */
export async function failPoll(
  db: EntityManager,
  claim: PollClaim,
  failure: PollFailureRecord,
): Promise<boolean> {
  return (await failPolls(db, [{ ...claim, ...failure }])).has(claim.accountId);
}

/**
 * `failPoll` for many polls in one statement, each claim checked on its own (at most one poll per account).
 * Returns the ids of the accounts whose claim held.
 */
export async function failPolls(
  db: EntityManager,
  polls: (PollClaim & PollFailureRecord)[],
): Promise<Set<string>> {
  if (polls.length === 0) return new Set();
  // in id order, as completeQuietPolls, so that batches sharing accounts tend to lock them in the same order
  const sorted = [...polls].sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
  // unnamed, as every statement but the few measured to gain from a plan kept per connection
  const [rows]: [{ id: string }[], number] = await db.query(
    `UPDATE accounts a SET next_poll_at = p.next_poll_at, consecutive_failures = p.failures, updated_at = now(),
       last_polled_at = CASE WHEN p.against_source THEN now() ELSE a.last_polled_at END,
       last_poll_status = CASE WHEN p.against_source THEN 'failed' ELSE a.last_poll_status END,
       last_error = CASE WHEN p.against_source THEN p.error ELSE a.last_error END,
       last_error_code = CASE WHEN p.against_source THEN p.error_code ELSE a.last_error_code END,
       cursor = CASE WHEN p.reset_cursor THEN '{}'::jsonb ELSE a.cursor END,
       deferred_since = CASE WHEN p.against_source THEN NULL ELSE COALESCE(a.deferred_since, now()) END
     FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::text[], $5::text[], $6::int[], $7::bool[],
       $8::bool[]) AS p(id, due, next_poll_at, error, error_code, failures, reset_cursor, against_source)
     WHERE a.id = p.id AND a.next_poll_at = p.due AND a.tracking
     RETURNING a.id`,
    [
      sorted.map((p) => p.accountId),
      isoTimes(sorted.map((p) => p.due)),
      isoTimes(sorted.map((p) => p.nextPollAt)),
      sorted.map((p) => p.error),
      sorted.map((p) => p.errorCode),
      sorted.map((p) => p.consecutiveFailures),
      sorted.map((p) => p.resetCursor),
      sorted.map((p) => p.againstSource),
    ],
  );
  return new Set(rows.map((r) => r.id));
}

/** How many tracked accounts have their polls deferred for our own load, and since when the longest-deferred one. */
export async function deferredPolls(
  db: Pick<EntityManager, 'query'>,
): Promise<{ accounts: number; oldest: Date | null }> {
  // paused accounts keep their mark but are not being polled: not counted (the account view hides it too)
  const [row]: { accounts: string; oldest: Date | null }[] = await db.query(
    `SELECT count(*) AS accounts, min(deferred_since) AS oldest FROM accounts
     WHERE deferred_since IS NOT NULL AND tracking AND NOT paused`,
  );
  return { accounts: Number(row.accounts), oldest: row.oldest };
}

/** Whether any log entry waits for the sequencer (its job may have been lost with a flushed Redis). */
export async function hasPendingLogEntries(db: EntityManager): Promise<boolean> {
  // the oldest by its index, not any row by a scan: rows leave from the front, and a scan reads every dead one
  // VACUUM has not removed yet on every call (20 ms a tick on average in a 300 s bench:scale run without
  // autovacuum), where an index scan marks the dead entries it passes and later scans skip them
  const rows: { id: string }[] = await db.query(`SELECT id FROM log_pending ORDER BY id LIMIT 1`);
  return rows.length > 0;
}

/**
 * Brings the next poll of tracked accounts of a platform forward to `now`, by their platform ids: a push
 * source's word that they posted. Only a poll captures; a job queued for the old due time loses its claim,
 * and a poll already due or running is left alone, as is an account in backoff after failures (a 429's reset, a
 * failing source: a push does not make us ask sooner than the source allows). Never sooner than `minGapSeconds` after the account's
 * last poll, so a source pushing the same account without pause cannot make us poll it without pause.
 * Returns the ids of the accounts brought forward.
 */
export async function pollSoon(
  db: EntityManager,
  platform: string,
  externalIds: string[],
  now: Date,
  minGapSeconds: number,
): Promise<string[]> {
  if (externalIds.length === 0) return [];
  const rows: { id: string }[] = await db.query(
    `WITH soon AS (
       UPDATE accounts SET next_poll_at = GREATEST($3, last_polled_at + make_interval(secs => $4)), updated_at = now()
       WHERE platform = $1 AND external_id = ANY($2::text[]) AND tracking AND NOT paused AND consecutive_failures = 0
         AND next_poll_at > $3
         AND next_poll_at > GREATEST($3, last_polled_at + make_interval(secs => $4))
       RETURNING id)
     SELECT id FROM soon`,
    [platform, externalIds, now, minGapSeconds],
  );
  return rows.map((r) => r.id);
}

/** The platform ids of every account of a platform being tracked (for a push source's subscription). */
export async function trackedExternalIds(db: EntityManager, platform: string): Promise<string[]> {
  const rows: { external_id: string }[] = await db.query(
    `SELECT external_id FROM accounts WHERE platform = $1 AND tracking ORDER BY external_id`,
    [platform],
  );
  return rows.map((r) => r.external_id);
}
