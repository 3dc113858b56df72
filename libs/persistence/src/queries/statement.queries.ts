import { findMediaFiles, type MediaFileView } from '../repositories/media.repository';
import { type EntityManager } from 'typeorm';
import { wordDiff, type DiffPart, type StatementRecord } from '@app/core';
import { artifactUrl } from './artifact-url';
import { findQuotedBy, type QuotedByView } from './quotation.queries';

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
  text: string;
  /** escaped HTML of the text around the matches, with <mark> around them (set only when asked and searching) */
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

export interface StatementView extends Omit<StatementSummaryView, 'text'> {
  /** `captured`: read from the platform by us (quoted statements are a QuotedStatementView) */
  kind: 'captured';
  versions: VersionView[];
  observations: ObservationView[];
  /** the quoted statements (what articles printed) that are quotes of this one */
  quotedBy: QuotedByView[];
}

export interface StatementFilter {
  accountId?: string;
  /** web search syntax: words, "phrases", -excluded */
  q?: string;
  /** authored at or after */
  since?: Date;
  /** authored before */
  until?: Date;
  status?: string;
  /** connector name: mastodon, telegram, x, feed… */
  platform?: string;
  /** the language the latest version declares (BCP 47 as the platform gave it, e.g. uk, en) */
  language?: string;
  /** ask for `snippet` on each item (filled by the search engine when it supports it) */
  withSnippets?: boolean;
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
  account_id: string;
  account_handle: string;
  account_display_name: string | null;
  account_url: string;
}

const STATEMENT_COLUMNS = `s.id, s.seq, s.platform, s.url, s.authored_at, s.first_captured_at, s.last_seen_at, s.status,
  s.status_changed_at, s.latest_version, s.latest_text, s.external_id, a.id AS account_id, a.handle AS account_handle,
  a.display_name AS account_display_name, a.profile_url AS account_url`;

export { artifactUrl } from './artifact-url';

/** Newest captured first; the cursor is a position in capture order, so pages stay stable while captures arrive. */
export async function listStatements(db: EntityManager, filter: StatementFilter): Promise<StatementPage> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.accountId) add('s.account_id = ?', filter.accountId);
  if (filter.q) add(`s.search @@ websearch_to_tsquery('simple', ?)`, filter.q);
  if (filter.since) add('s.authored_at >= ?', filter.since);
  if (filter.until) add('s.authored_at < ?', filter.until);
  if (filter.status) add('s.status = ?', filter.status);
  if (filter.platform) add('s.platform = ?', filter.platform);
  if (filter.language) {
    add(
      `EXISTS (SELECT 1 FROM versions v WHERE v.statement_id = s.id AND v.number = s.latest_version
         AND v.record->>'language' = ?)`,
      filter.language,
    );
  }
  if (filter.cursor) add('s.seq < ?', filter.cursor);
  params.push(filter.limit + 1);
  const rows: StatementRow[] = await db.query(
    `SELECT ${STATEMENT_COLUMNS} FROM statements s JOIN accounts a ON a.id = s.account_id
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY s.seq DESC LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, filter.limit);
  return {
    items: page.map(summaryOf),
    nextCursor: rows.length > filter.limit ? page[page.length - 1].seq : null,
  };
}

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
  const { text: _latest, ...summary } = summaryOf(row);
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
      externalId: row.external_id,
      latestText: row.latest_text,
    }),
  };
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

/** Statements confirmed deleted, the most recently confirmed first. */
export async function listRecentlyDeleted(db: EntityManager, limit: number): Promise<StatementSummaryView[]> {
  const rows: StatementRow[] = await db.query(
    `SELECT ${STATEMENT_COLUMNS} FROM statements s JOIN accounts a ON a.id = s.account_id
     WHERE s.status = 'deleted' ORDER BY s.status_changed_at DESC NULLS LAST, s.seq DESC LIMIT $1`,
    [limit],
  );
  return rows.map(summaryOf);
}
