import { type EntityManager } from 'typeorm';
import { type StatementRecord } from '@app/core';

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
  latestVersion: number;
  text: string;
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
  artifacts: ArtifactView[];
}

export interface StatementView extends Omit<StatementSummaryView, 'text'> {
  versions: VersionView[];
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
  latest_version: number;
  latest_text: string;
  account_id: string;
  account_handle: string;
  account_display_name: string | null;
  account_url: string;
}

const STATEMENT_COLUMNS = `s.id, s.seq, s.platform, s.url, s.authored_at, s.first_captured_at, s.last_seen_at, s.status,
  s.latest_version, s.latest_text, a.id AS account_id, a.handle AS account_handle,
  a.display_name AS account_display_name, a.profile_url AS account_url`;

/** The URL an artifact's bytes are served at. */
export function artifactUrl(sha256: string): string {
  return `/api/v1/artifacts/${sha256}`;
}

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
  }[] = await db.query(
    `SELECT number, captured_at, record, record_sha256, evidence_level FROM versions WHERE statement_id = $1 ORDER BY number`,
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
  const { text: _latest, ...summary } = summaryOf(row);
  return {
    ...summary,
    versions: versions.map((v) => ({
      number: v.number,
      capturedAt: v.captured_at.toISOString(),
      text: v.record.text,
      html: v.record.html,
      record: v.record,
      recordSha256: v.record_sha256,
      evidenceLevel: v.evidence_level,
      artifacts: artifacts
        .filter((a) => a.version_number === v.number)
        .map((a) => ({
          role: a.role,
          mediaType: a.media_type,
          size: a.size,
          sha256: a.sha256,
          url: artifactUrl(a.sha256),
        })),
    })),
  };
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
    latestVersion: row.latest_version,
    text: row.latest_text,
  };
}
