import { findMediaFiles, type MediaFileView } from '../repositories/media.repository';
import { type EntityManager } from 'typeorm';
import { wordDiff, type DiffPart, type StatementRecord } from '@app/core';
import { runPrepared } from '../prepared';
import { artifactUrl } from './artifact-url';
import { findQuotedBy, type QuotedByView } from './quotation.queries';
import { type HistoryGap } from '../repositories/capture.repository';
import { chooseSearchPlan, type SearchPlan } from './search-plan';
import { parseSearchQuery, tsqueryExpression } from './search-query';

/** A statement as readers see it in lists: where it is, who said it, when, its status and latest text. */
export interface StatementSummaryView {
  id: string;
  platform: string;
  url: string;
  account: { id: string; handle: string; displayName: string | null; url: string };
  authoredAt: string | null;
  firstCapturedAt: string;
  lastSeenAt: string;
  status: string;
  /** when the status last changed (null: active since first captured) */
  statusChangedAt: string | null;
  latestVersion: number;
  /**
   * when the latest version was captured: its last edit, or its first capture. Only where `withLatestCaptureTimes`
   * added it (the feeds): a lookup a row that every list and search would pay for
   */
  latestVersionCapturedAt?: string;
  text: string;
  /** ISO 639-1 code of the text (the platform's tag, else detected); null when unknown */
  language: string | null;
  /**
   * With `withSnippets` and a search: the best passages of the text, HTML-escaped, matches in `<mark>`.
   * Safe to put in a page as is.
   */
  snippet?: string;
}

export interface ArtifactView {
  role: string;
  mediaType: string;
  size: number;
  sha256: string;
  url: string;
}

export interface VersionView {
  number: number;
  capturedAt: string;
  text: string;
  html: string | null;
  record: StatementRecord;
  recordSha256: string;
  evidenceLevel: string;
  /** `capture`: read by us; `platform-history`: a missed edit taken from the platform's edit history */
  source: string;
  /** word-level diff of the text against the previous version; null for the first */
  diff: DiffPart[] | null;
  /**
   * Set when the platform's edit history read with this version came incomplete, so edits made before it may
   * be missing here: `not-read` (the history could not be read), `cut-short` (versions were left out), with
   * what happened. Our note, not part of the record.
   */
  historyGap: HistoryGap | null;
  artifacts: ArtifactView[];
  /**
   * The media items of the record, in its order, with what downloading each gave: `pending`, `stored`
   * (sha256, size, mediaType and `artifactUrl` to the bytes), `skipped` or `failed` (with the reason). Kept
   * beside the record, not in it: files are downloaded after the version is sealed (see docs in README, Media).
   */
  media: MediaView[];
}

export interface MediaView extends Omit<MediaFileView, 'position'> {
  /** where the stored bytes are served; null until stored */
  artifactUrl: string | null;
}

/** A recorded status transition, its evidence, and its place in the log once sequenced. */
export interface ObservationView {
  id: string;
  status: string;
  previousStatus: string;
  reason: string | null;
  httpStatus: number | null;
  observedAt: string;
  /** null while the observation waits for the sequencer */
  leafIndex: number | null;
  artifacts: ArtifactView[];
  evidenceUrl: string;
}

export interface StatementView extends Omit<StatementSummaryView, 'text' | 'snippet'> {
  /** `captured`: read from the platform by us (quoted statements are a QuotedStatementView) */
  kind: 'captured';
  versions: VersionView[];
  observations: ObservationView[];
  /** the quoted statements (what articles printed) that are quotes of this one */
  quotedBy: QuotedByView[];
}

export interface StatementFilter {
  accountId?: string;
  /** search syntax (see search-query.ts): words, "phrases", prefix*, -excluded, a OR b */
  q?: string;
  /** connector name: mastodon, telegram, x, feed… */
  platform?: string;
  /** ISO 639-1 code; with `q`, also narrows word forms to this language's and the plain ones */
  language?: string;
  /** with `q`: fill each item's `snippet` */
  withSnippets?: boolean;
  /** authored at or after */
  since?: Date;
  /** authored before */
  until?: Date;
  status?: string;
  /** the nextCursor of a previous page */
  cursor?: string;
  limit: number;
}

export interface StatementPage {
  items: StatementSummaryView[];
  nextCursor: string | null;
}

interface StatementRow {
  id: string;
  seq: string;
  platform: string;
  url: string;
  authored_at: Date | null;
  first_captured_at: Date;
  last_seen_at: Date;
  status: string;
  status_changed_at: Date | null;
  latest_version: number;
  latest_text: string;
  external_id: string;
  language: string | null;
  snippet?: string | null;
  account_id: string;
  account_handle: string;
  account_display_name: string | null;
  account_url: string;
}

const STATEMENT_COLUMNS = `s.id, s.seq, s.platform, s.url, s.authored_at, s.first_captured_at, s.last_seen_at, s.status,
  s.status_changed_at, s.latest_version, s.latest_text, s.external_id, s.language, a.id AS account_id, a.handle AS account_handle,
  a.display_name AS account_display_name, a.profile_url AS account_url`;

export { artifactUrl } from './artifact-url';

/** Newest captured first; the cursor is a position in capture order, so pages stay stable while captures arrive. */
export async function listStatements(db: EntityManager, filter: StatementFilter): Promise<StatementPage> {
  if (filter.q && filter.accountId)
    return searchAccount(db, { ...filter, accountId: filter.accountId }, filter.q);
  if (filter.q) return searchOwn(db, filter, filter.q);
  if (filter.accountId) return listAccountStatements(db, { ...filter, accountId: filter.accountId });
  const where = filterConditions(filter);
  if (filter.cursor) where.add('s.seq < ?', filter.cursor);
  const limit = where.param(filter.limit + 1);
  const rows: StatementRow[] = await db.query(
    `SELECT ${STATEMENT_COLUMNS} FROM statements s JOIN accounts a ON a.id = s.account_id
     ${where.sql()} ORDER BY s.seq DESC LIMIT ${limit}`,
    where.params,
  );
  return pageOf(rows, filter.limit);
}

/**
 * An account's statements and the web pages it saw that another account's statement holds (statement_sightings),
 * newest captured first: the newest of each, each read in capture order from its own index, then merged.
 */
async function listAccountStatements(
  db: EntityManager,
  filter: StatementFilter & { accountId: string },
): Promise<StatementPage> {
  const where = filterConditions({ ...filter, accountId: undefined });
  const account = where.param(filter.accountId);
  const below = where.param(filter.cursor ?? null);
  const limit = where.param(filter.limit + 1);
  const rows: StatementRow[] = await db.query(
    `SELECT ${STATEMENT_COLUMNS}
     FROM ((SELECT s.* FROM statements s
            WHERE s.account_id = ${account} AND (${below}::bigint IS NULL OR s.seq < ${below}) ${where.and()}
            ORDER BY s.seq DESC LIMIT ${limit})
           UNION ALL
           (SELECT s.* FROM statement_sightings g JOIN statements s ON s.id = g.statement_id
            WHERE g.account_id = ${account} AND (${below}::bigint IS NULL OR g.seq < ${below}) ${where.and()}
            ORDER BY g.seq DESC LIMIT ${limit})) s
     JOIN accounts a ON a.id = s.account_id
     ORDER BY s.seq DESC LIMIT ${limit}`,
    where.params,
  );
  return pageOf(rows, filter.limit);
}

function searchOwn(db: EntityManager, filter: StatementFilter, q: string): Promise<StatementPage> {
  return dated(filter) ? searchStatements(db, filter, q, chooseSearchPlan) : searchNewest(db, filter, q);
}

/**
 * A search narrowed to an account: the matches among its own statements (the search index and its filter words
 * know only the holding account), merged in capture order with those among the web pages it saw that another
 * account holds, read from statement_sightings.
 */
async function searchAccount(
  db: EntityManager,
  filter: StatementFilter & { accountId: string },
  q: string,
): Promise<StatementPage> {
  const own = await searchOwn(db, filter, q);
  const seen = await searchSightings(db, filter, q);
  if (seen.rows.length === 0) return own;
  if (filter.withSnippets && seen.query) await addSnippets(db, seen.rows, seen.query);
  const ownSeqs: { id: string; seq: string }[] = await db.query(
    `SELECT id, seq FROM statements WHERE id = ANY($1::uuid[])`,
    [own.items.map((item) => item.id)],
  );
  const seqOf = new Map(ownSeqs.map((r) => [r.id, BigInt(r.seq)]));
  const merged = [
    ...own.items.map((item) => ({ seq: seqOf.get(item.id)!, item })),
    ...seen.rows.map((row) => ({ seq: BigInt(row.seq), item: summaryOf(row) })),
  ].sort((a, b) => (a.seq === b.seq ? 0 : a.seq > b.seq ? -1 : 1));
  const page = merged.slice(0, filter.limit);
  const more = own.nextCursor !== null || merged.length > filter.limit;
  return {
    items: page.map((m) => m.item),
    nextCursor: more && page.length > 0 ? page[page.length - 1].seq.toString() : null,
  };
}

/** The newest matches (limit + 1) among the web pages an account saw that another account holds. */
async function searchSightings(
  db: EntityManager,
  filter: StatementFilter & { accountId: string },
  q: string,
): Promise<{ rows: StatementRow[]; query: string | null }> {
  const where = filterConditions({ ...filter, accountId: undefined });
  const expression = tsqueryExpression(parseSearchQuery(q), filter.language, where.params);
  const account = where.param(filter.accountId);
  const below = where.param(filter.cursor ?? null);
  const limit = where.param(filter.limit + 1);
  const rows: (StatementRow & { query: string | null })[] = await db.query(
    `WITH q AS MATERIALIZED (SELECT ${expression} AS query)
     SELECT q.query::text AS query, ${STATEMENT_COLUMNS}
     FROM q, statement_sightings g JOIN statements s ON s.id = g.statement_id JOIN accounts a ON a.id = s.account_id
     WHERE g.account_id = ${account} AND (${below}::bigint IS NULL OR g.seq < ${below}) AND s.search @@ q.query
       ${where.and()}
     ORDER BY g.seq DESC LIMIT ${limit}`,
    where.params,
  );
  return { rows, query: rows[0]?.query ?? null };
}

/** WHERE conditions and their parameters, numbered as they are added. */
class Conditions {
  readonly params: unknown[] = [];
  private readonly conditions: string[] = [];

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** `?` in `sql` is the value's placeholder */
  add(sql: string, value: unknown): void {
    this.conditions.push(sql.replace('?', this.param(value)));
  }

  raw(sql: string): void {
    this.conditions.push(sql);
  }

  sql(): string {
    return this.conditions.length ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }

  /** the conditions to follow others: `AND …`, or nothing */
  and(): string {
    return this.conditions.map((c) => `AND ${c}`).join(' ');
  }
}

/** Every filter but the search and the cursor. */
function filterConditions(filter: StatementFilter): Conditions {
  const where = new Conditions();
  if (filter.accountId) where.add('s.account_id = ?', filter.accountId);
  if (filter.platform) where.add('s.platform = ?', filter.platform);
  if (filter.language) where.add('s.language = ?', filter.language);
  if (filter.since) where.add('s.authored_at >= ?', filter.since);
  if (filter.until) where.add('s.authored_at < ?', filter.until);
  if (filter.status) where.add('s.status = ?', filter.status);
  return where;
}

function pageOf(rows: StatementRow[], limit: number): StatementPage {
  const page = rows.slice(0, limit);
  return {
    items: page.map(summaryOf),
    nextCursor: rows.length > limit ? page[page.length - 1].seq : null,
  };
}

/** Whether the list is narrowed by dates, which the search index does not hold (see searchNewest). */
function dated(filter: StatementFilter): boolean {
  return Boolean(filter.since || filter.until);
}

/** searches of at most this many words, phrases or prefixes run as prepared statements (a few dozen shapes) */
const PREPARED_SEARCH_TERMS = 2;

/**
 * A search page in one round trip: `verbatim_search` (migrations SearchCaptureBlocks, SearchFilterWords) searches
 * blocks of capture order from the newest down, inside the search index, with the account, platform, status and
 * language filters as words the index holds too. A search between dates is planned per query instead
 * (`searchStatements`), so PostgreSQL can use the dates' own conditions.
 */
async function searchNewest(db: EntityManager, filter: StatementFilter, q: string): Promise<StatementPage> {
  const parsed = parseSearchQuery(q);
  const params: unknown[] = [];
  const expression = tsqueryExpression(parsed, filter.language, params);
  const param = (value: unknown) => `$${params.push(value)}`;
  const walkFirst = parsed.flat().some((term) => term.kind === 'prefix');
  const sql = `WITH q AS MATERIALIZED (SELECT ${expression} AS query)
     SELECT q.query::text AS query, m.* FROM q LEFT JOIN LATERAL (
       SELECT ${STATEMENT_COLUMNS}
       FROM verbatim_search(q.query, ${param(filter.accountId ?? null)}::uuid, ${param(filter.platform ?? null)}::text,
                            ${param(filter.status ?? null)}::text, ${param(filter.language ?? null)}::text,
                            ${param(filter.cursor ?? null)}::bigint, ${param(filter.limit + 1)}::int,
                            ${param(walkFirst)}::boolean) f
       JOIN statements s ON s.id = f.id JOIN accounts a ON a.id = s.account_id
     ) m ON true
     ORDER BY m.seq DESC`;
  type Row = Partial<StatementRow> & { query: string | null };
  // parsing and planning this statement cost more than running it for most words (0.3–0.8 ms): named, it is parsed
  // once per connection and, after five runs, kept with a generic plan. Only short queries, so that the shapes
  // prepared on a connection stay few (39 at most).
  const rows: Row[] =
    parsed.flat().length <= PREPARED_SEARCH_TERMS
      ? (await runPrepared<Row>(db, sql, params)).rows
      : await db.query(sql, params);
  const query = rows[0]?.query;
  if (!query) return { items: [], nextCursor: null };
  return searchPage(db, filter, query, rows.filter((r) => r.id) as StatementRow[]);
}

/** The page of the newest matches found (limit + 1 of them when there is a next page), with its snippets. */
async function searchPage(
  db: EntityManager,
  filter: StatementFilter,
  query: string,
  found: StatementRow[],
): Promise<StatementPage> {
  const page = found.slice(0, filter.limit);
  if (filter.withSnippets) await addSnippets(db, page, query);
  return {
    items: page.map(summaryOf),
    nextCursor: found.length > filter.limit ? page[page.length - 1].seq : null,
  };
}

/** statements the first round trip walks, newest first: a page of a common term is found there */
const PROBE_ROWS_PER_WANTED = 20;

/** A filter with an index of its own over capture order: statements_account_seq, _status_seq, _platform_seq, … */
type WalkColumn = 'account_id' | 'status' | 'platform' | 'language';

/**
 * The filter whose own index a walk goes along, in the order verbatim_search takes them (an account's statements
 * are the fewest); null without one, and a walk goes along capture order itself. The status `active` is passed
 * over: nearly every statement has it, and a walk along it reads as many as one along capture order.
 */
function walkFilter(filter: StatementFilter): { column: WalkColumn; value: string } | null {
  if (filter.accountId) return { column: 'account_id', value: filter.accountId };
  if (filter.status && filter.status !== 'active') return { column: 'status', value: filter.status };
  if (filter.platform) return { column: 'platform', value: filter.platform };
  if (filter.language) return { column: 'language', value: filter.language };
  return null;
}

/**
 * A search page between dates (its other filters apply too). The first round trip builds the tsquery, reads the
 * bounds of capture order and walks the newest statements (PROBE_ROWS_PER_WANTED per row wanted), along a
 * filter's own index when there is one (see walkFilter): a common term's page is complete there, and so is any
 * search whose walk filter has fewer statements than that. Otherwise the density it saw estimates the matches,
 * `choosePlan` picks how to search the rest (see search-plan.ts) and ranges of capture order are searched, newest
 * first, until the page is full; a range that comes up short replaces the estimate with what it saw.
 */
async function searchStatements(
  db: EntityManager,
  filter: StatementFilter,
  q: string,
  choosePlan: (estimatedMatches: number, span: number, wanted: number, walkedShare: number) => SearchPlan,
  probeRows = PROBE_ROWS_PER_WANTED * (filter.limit + 1),
): Promise<StatementPage> {
  const wanted = filter.limit + 1;
  const probe = await probeNewest(db, filter, q, probeRows, wanted);
  if (!probe) return { items: [], nextCursor: null };
  const { query, bottom } = probe;
  const found = probe.rows;
  let upper = probe.lower;
  // the width of capture order the first walk covered, and the share of its statements it read
  const covered = Number(probe.upper - probe.lower);
  const walkedShare = covered > 0 ? Math.min(1, Math.max(probeRows, 1) / covered) : 1;
  let seen = Math.max(found.length, 1) / Math.max(covered, 1);
  let width = BigInt(Math.max(covered, probeRows));
  while (found.length < wanted && upper > bottom) {
    const rest = Number(upper - bottom);
    const next = choosePlan(seen * rest, rest, wanted - found.length, walkedShare);
    // ranges at least double, so a term that is rare in recent statements costs few round trips
    const plan: SearchPlan =
      next.kind === 'collect' ? next : { kind: next.kind, window: Math.max(next.window, 2 * Number(width)) };
    width = BigInt(plan.window);
    // the last range reaches the oldest statement: collect plans start there
    const lower = plan.kind === 'collect' || upper - width <= bottom ? null : upper - width;
    const rows = await searchRange(db, filter, query, plan.kind, lower, upper, wanted - found.length);
    found.push(...rows);
    if (lower === null) break;
    // at least one match per range, so an empty range still lets the next grow
    seen = Math.max(rows.length, 1) / Number(upper - lower);
    upper = lower;
  }
  return searchPage(db, filter, query, found);
}

/**
 * The first round trip: the tsquery, the bounds of capture order, and the matches among the `rows` newest
 * statements below the cursor (those of the walk filter, when there is one). `lower` is where that walk stopped:
 * the oldest statement of the archive when it read every statement of its filter. A cursor past the newest
 * statement starts from the newest. Null when the query has no words to match or
 * nothing is below the cursor.
 */
async function probeNewest(
  db: EntityManager,
  filter: StatementFilter,
  q: string,
  rows: number,
  wanted: number,
): Promise<{ query: string; upper: bigint; bottom: bigint; lower: bigint; rows: StatementRow[] } | null> {
  const where = filterConditions(filter);
  const expression = tsqueryExpression(parseSearchQuery(q), filter.language, where.params);
  const cursor = where.param(filter.cursor ?? null);
  const width = where.param(rows);
  const limit = where.param(wanted);
  const along = rows > 0 ? walkFilter(filter) : null;
  // where the walk stops: `rows` statements below the cursor, counted in capture order or, along a filter's index,
  // in that filter's statements (null: it has fewer, and the walk reads them all)
  const lowest = along
    ? `(SELECT s.seq FROM statements s WHERE s.${along.column} = ${where.param(along.value)} AND s.seq < b.upper
         ORDER BY s.seq DESC OFFSET ${width}::int - 1 LIMIT 1)`
    : `b.upper - ${width}::bigint`;
  where.raw('ts_match_vq(s.search, q.query)');
  where.raw('s.seq < w.upper');
  where.raw('s.seq >= w.lower');
  const result: (Partial<StatementRow> & {
    query: string | null;
    upper: string | null;
    bottom: string | null;
    lower: string | null;
  })[] = await db.query(
    `WITH q AS MATERIALIZED (SELECT ${expression} AS query),
            b AS MATERIALIZED (SELECT LEAST(COALESCE(${cursor}::bigint, e.top), e.top) AS upper, e.bottom
                               FROM (SELECT max(seq) + 1 AS top, min(seq) AS bottom FROM statements) e),
            w AS MATERIALIZED (SELECT b.upper, b.bottom, GREATEST(COALESCE(${lowest}, b.bottom), b.bottom) AS lower
                               FROM b)
       SELECT q.query::text AS query, w.upper, w.bottom, w.lower, m.*
       FROM q CROSS JOIN w
       LEFT JOIN LATERAL (
         SELECT ${STATEMENT_COLUMNS} FROM statements s JOIN accounts a ON a.id = s.account_id
         ${where.sql()} ORDER BY s.seq DESC LIMIT ${limit}
       ) m ON true`,
    where.params,
  );
  const [first] = result;
  if (!first?.query || first.upper === null || first.bottom === null || first.lower === null) return null;
  const upper = BigInt(first.upper);
  const bottom = BigInt(first.bottom);
  if (upper <= bottom) return null;
  return {
    query: first.query,
    upper,
    bottom,
    lower: BigInt(first.lower),
    rows: result.filter((r) => r.id) as StatementRow[],
  };
}

/** A search page found by the given plan, without the first walk: for tests and benchmarks of each plan. */
export function searchStatementsWithPlan(
  db: EntityManager,
  filter: StatementFilter & { q: string },
  plan: SearchPlan,
): Promise<StatementPage> {
  return searchStatements(db, filter, filter.q, () => plan, 0);
}

/** The newest `wanted` matches with lower ≤ seq < upper (no lower bound when null), by the plan's method. */
async function searchRange(
  db: EntityManager,
  filter: StatementFilter,
  query: string,
  plan: 'walk' | 'window' | 'collect',
  lower: bigint | null,
  upper: bigint,
  wanted: number,
): Promise<StatementRow[]> {
  const where = filterConditions(filter);
  // ts_match_vq is the function behind @@ that no index serves: the walk then can only go along seq
  where.add(plan === 'walk' ? 'ts_match_vq(s.search, ?::tsquery)' : 's.search @@ ?::tsquery', query);
  where.add('s.seq < ?', upper.toString());
  if (lower !== null) where.add('s.seq >= ?', lower.toString());
  const limit = where.param(wanted);
  if (plan === 'walk')
    return db.query(
      `SELECT ${STATEMENT_COLUMNS} FROM statements s JOIN accounts a ON a.id = s.account_id
       ${where.sql()} ORDER BY s.seq DESC LIMIT ${limit}`,
      where.params,
    );
  // MATERIALIZED: all matches of the range first (a BitmapAnd of the GIN and seq indexes for a window, the GIN
  // alone for collect), so the planner cannot turn it into a walk along seq that reads every row of the range
  return db.query(
    `WITH hits AS MATERIALIZED (SELECT s.id, s.seq FROM statements s ${where.sql()}),
          newest AS (SELECT id FROM hits ORDER BY seq DESC LIMIT ${limit})
     SELECT ${STATEMENT_COLUMNS} FROM newest n JOIN statements s ON s.id = n.id JOIN accounts a ON a.id = s.account_id
     ORDER BY s.seq DESC`,
    where.params,
  );
}

/** Snippets (ts_headline) for the page's rows only, never for every match. */
async function addSnippets(db: EntityManager, page: StatementRow[], query: string): Promise<void> {
  if (page.length === 0) return;
  // control characters mark the matches (any in the text are removed first): the text is escaped afterwards,
  // then they become <mark>. The statement's language marks its stemmed forms; when that marks nothing (the
  // match was a stop word or a word of another language), the plain configuration marks the words as written.
  const rows: { id: string; snippet: string }[] = await db.query(
    `SELECT s.id, CASE WHEN strpos(h.stemmed, E'\\x01') > 0 THEN h.stemmed
                  ELSE ts_headline('verbatim_simple', h.text, $2::tsquery, $3) END AS snippet
     FROM statements s
     CROSS JOIN LATERAL (SELECT translate(s.latest_text, E'\\x01\\x02', '') AS text) AS t
     CROSS JOIN LATERAL (SELECT t.text, ts_headline(verbatim_search_config(s.language), t.text, $2::tsquery, $3) AS stemmed) AS h
     WHERE s.id = ANY($1::uuid[])`,
    [page.map((r) => r.id), query, HEADLINE_OPTIONS],
  );
  const snippets = new Map(rows.map((r) => [r.id, r.snippet]));
  for (const row of page) row.snippet = snippets.get(row.id) ?? null;
}

const HEADLINE_OPTIONS =
  'StartSel=\u0001, StopSel=\u0002, MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter=" … "';

/** Escaped HTML of a headline, its match markers turned into <mark>; marker characters in the text itself are dropped. */
export function snippetHtml(headline: string): string {
  let html = '';
  let open = false;
  for (const char of headline) {
    if (char === '\u0001' && !open) {
      html += '<mark>';
      open = true;
    } else if (char === '\u0002' && open) {
      html += '</mark>';
      open = false;
    } else if (char !== '\u0001' && char !== '\u0002') html += ESCAPES[char] ?? char;
  }
  return open ? `${html}</mark>` : html;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** One statement with every version and the artifacts each was read from, or null. */
export async function findStatement(db: EntityManager, id: string): Promise<StatementView | null> {
  const [row]: StatementRow[] = await db.query(
    `SELECT ${STATEMENT_COLUMNS} FROM statements s JOIN accounts a ON a.id = s.account_id WHERE s.id = $1`,
    [id],
  );
  if (!row) return null;
  const versions: {
    number: number;
    captured_at: Date;
    record: StatementRecord;
    record_sha256: string;
    evidence_level: string;
    source: string;
  }[] = await db.query(
    `SELECT number, captured_at, record, record_sha256, evidence_level, source FROM versions WHERE statement_id = $1 ORDER BY number`,
    [id],
  );
  const artifacts: {
    version_number: number;
    role: string;
    media_type: string;
    size: number;
    sha256: string;
  }[] = await db.query(
    `SELECT va.version_number, va.role, ar.media_type, ar.size, va.sha256
       FROM version_artifacts va JOIN artifacts ar ON ar.sha256 = va.sha256
       WHERE va.statement_id = $1 ORDER BY va.version_number, va.role, va.sha256`,
    [id],
  );
  const media = await findMediaFiles(
    db,
    versions.map((v) => ({ statementId: row.id, version: v.number })),
  );
  const gaps = await findHistoryGaps(db, id);
  const { text: _latest, snippet: _snippet, ...summary } = summaryOf(row);
  return {
    ...summary,
    kind: 'captured',
    versions: versions.map((v, i) => ({
      number: v.number,
      capturedAt: v.captured_at.toISOString(),
      text: v.record.text,
      html: v.record.html,
      record: v.record,
      recordSha256: v.record_sha256,
      evidenceLevel: v.evidence_level,
      source: v.source,
      // computed on read: cheap for statement-sized texts, and a better diff later needs no migration
      diff: i === 0 ? null : wordDiff(versions[i - 1].record.text, v.record.text),
      historyGap: gapOf(gaps.get(v.number)),
      artifacts: artifacts
        .filter((a) => a.version_number === v.number)
        .map((a) => ({
          role: a.role,
          mediaType: a.media_type,
          size: a.size,
          sha256: a.sha256,
          url: artifactUrl(a.sha256),
        })),
      media: (media.get(`${row.id}/${v.number}`) ?? []).map(({ position: _position, ...m }) => ({
        ...m,
        artifactUrl: m.sha256 === null ? null : artifactUrl(m.sha256),
      })),
    })),
    observations: await findObservations(db, id),
    quotedBy: await findQuotedBy(db, {
      platform: row.platform,
      handle: row.account_handle,
      accountId: row.account_id,
      externalId: row.external_id,
      latestText: row.latest_text,
    }),
  };
}

function gapOf(gap: NotedHistoryGap | undefined): HistoryGap | null {
  return gap ? { kind: gap.kind, detail: gap.detail } : null;
}

/** A version's history-gap note, with when we wrote it. */
export interface NotedHistoryGap extends HistoryGap {
  notedAt: Date;
}

/**
 * The history-gap notes of a statement's versions, by version number: what its page and API show, and what its
 * evidence bundles carry beside the record. Few rows: at most one a version, and only where a history failed.
 */
export async function findHistoryGaps(
  db: EntityManager,
  statementId: string,
): Promise<Map<number, NotedHistoryGap>> {
  const rows: { version_number: number; kind: HistoryGap['kind']; detail: string; noted_at: Date }[] =
    await db.query(
      `SELECT version_number, kind, detail, noted_at FROM version_history_gaps WHERE statement_id = $1`,
      [statementId],
    );
  return new Map(
    rows.map((r) => [r.version_number, { kind: r.kind, detail: r.detail, notedAt: r.noted_at }]),
  );
}

async function findObservations(db: EntityManager, statementId: string): Promise<ObservationView[]> {
  const rows: {
    id: string;
    status: string;
    previous_status: string;
    reason: string | null;
    http_status: number | null;
    observed_at: Date;
    leaf_index: string | null;
    artifacts: { role: string; mediaType: string; size: number; sha256: string }[];
  }[] = await db.query(
    `SELECT o.id, o.status, o.previous_status, o.reason, o.http_status, o.observed_at, e.idx AS leaf_index,
       COALESCE((SELECT json_agg(json_build_object('role', oa.role, 'mediaType', oa.media_type, 'size', ar.size,
                  'sha256', oa.sha256) ORDER BY oa.role, oa.sha256)
         FROM observation_artifacts oa JOIN artifacts ar ON ar.sha256 = oa.sha256
         WHERE oa.observation_id = o.id), '[]') AS artifacts
     FROM observations o LEFT JOIN log_entries e ON e.observation_id = o.id
     WHERE o.statement_id = $1 ORDER BY o.observed_at, o.id`,
    [statementId],
  );
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    previousStatus: r.previous_status,
    reason: r.reason,
    httpStatus: r.http_status,
    observedAt: r.observed_at.toISOString(),
    leafIndex: r.leaf_index === null ? null : Number(r.leaf_index),
    artifacts: r.artifacts.map((a) => ({ ...a, url: artifactUrl(a.sha256) })),
    evidenceUrl: `/api/v1/statements/${statementId}/evidence?observation=${r.id}`,
  }));
}

function summaryOf(row: StatementRow): StatementSummaryView {
  return {
    id: row.id,
    platform: row.platform,
    url: row.url,
    account: {
      id: row.account_id,
      handle: row.account_handle,
      displayName: row.account_display_name,
      url: row.account_url,
    },
    authoredAt: row.authored_at?.toISOString() ?? null,
    firstCapturedAt: row.first_captured_at.toISOString(),
    lastSeenAt: row.last_seen_at.toISOString(),
    status: row.status,
    statusChangedAt: row.status_changed_at?.toISOString() ?? null,
    latestVersion: row.latest_version,
    text: row.latest_text,
    language: row.language,
    ...(typeof row.snippet === 'string' ? { snippet: snippetHtml(row.snippet) } : {}),
  };
}

/** The log index of each version of a statement that the sequencer has written, by version number. */
export async function findVersionLogIndexes(
  db: EntityManager,
  statementId: string,
): Promise<Map<number, number>> {
  const rows: { version_number: number; idx: string }[] = await db.query(
    `SELECT version_number, idx FROM log_entries WHERE statement_id = $1 AND version_number IS NOT NULL`,
    [statementId],
  );
  return new Map(rows.map((r) => [r.version_number, Number(r.idx)]));
}

/** Statements with more than one version, the most recently edited (latest version captured) first. */
export async function listRecentlyEdited(db: EntityManager, limit: number): Promise<StatementSummaryView[]> {
  const rows: StatementRow[] = await db.query(
    `SELECT ${STATEMENT_COLUMNS} FROM statements s JOIN accounts a ON a.id = s.account_id
       JOIN versions v ON v.statement_id = s.id AND v.number = s.latest_version
     WHERE s.latest_version > 1 ORDER BY v.captured_at DESC, s.seq DESC LIMIT $1`,
    [limit],
  );
  return rows.map(summaryOf);
}

/**
 * What the deleted feed lists: statements confirmed deleted and those whose last status change restored them after
 * a confirmed deletion, the most recent status change first. Restorations are found from their observations (few,
 * in their own partial index), not by reading every active statement.
 */
export async function listDeletedAndRestored(
  db: EntityManager,
  limit: number,
): Promise<StatementSummaryView[]> {
  const rows: StatementRow[] = await db.query(
    `SELECT ${STATEMENT_COLUMNS}
     FROM ((SELECT s.* FROM statements s WHERE s.status = 'deleted'
            ORDER BY s.status_changed_at DESC NULLS LAST, s.seq DESC LIMIT $1)
           UNION ALL
           (SELECT s.* FROM observations o JOIN statements s ON s.id = o.statement_id
            WHERE o.previous_status = 'deleted' AND o.status = 'active'
              -- still active since that restoration: a later missing or unavailable spell is not one
              AND s.status = 'active' AND s.status_changed_at = o.observed_at
            ORDER BY s.status_changed_at DESC NULLS LAST, s.seq DESC LIMIT $1)) s
     JOIN accounts a ON a.id = s.account_id
     ORDER BY s.status_changed_at DESC NULLS LAST, s.seq DESC LIMIT $1`,
    [limit],
  );
  return rows.map(summaryOf);
}

/** The summaries with `latestVersionCapturedAt`, in one lookup of their latest versions. */
export async function withLatestCaptureTimes(
  db: EntityManager,
  items: StatementSummaryView[],
): Promise<StatementSummaryView[]> {
  if (items.length === 0) return items;
  const rows: { statement_id: string; captured_at: Date }[] = await db.query(
    `SELECT v.statement_id, v.captured_at
     FROM unnest($1::uuid[], $2::int[]) AS l(id, number)
     JOIN versions v ON v.statement_id = l.id AND v.number = l.number`,
    [items.map((i) => i.id), items.map((i) => i.latestVersion)],
  );
  const capturedAt = new Map(rows.map((r) => [r.statement_id, r.captured_at.toISOString()]));
  return items.map((i) => ({ ...i, latestVersionCapturedAt: capturedAt.get(i.id) ?? i.firstCapturedAt }));
}

/** Statements confirmed deleted, the most recently confirmed first. */
export async function listRecentlyDeleted(db: EntityManager, limit: number): Promise<StatementSummaryView[]> {
  const rows: StatementRow[] = await db.query(
    `SELECT ${STATEMENT_COLUMNS} FROM statements s JOIN accounts a ON a.id = s.account_id
     WHERE s.status = 'deleted' ORDER BY s.status_changed_at DESC NULLS LAST, s.seq DESC LIMIT $1`,
    [limit],
  );
  return rows.map(summaryOf);
}
