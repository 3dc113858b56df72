import { type HistoryGap } from '../repositories/capture.repository';
import { type EntityManager } from 'typeorm';

/** One capture of a statement, as a Memento: which version, and when we captured it. */
export interface MementoCapture {
  statementId: string;
  version: number;
  capturedAt: Date;
}

/**
 * What a Memento request may name a statement by (apps/api's lookupOf): the URLs it may be held under, best
 * first, and for a platform's post or profile link, the account it names and the post's id under it.
 */
export interface MementoLookup {
  urls: string[];
  /**
   * the account: `name` is its handle in lower case (handles match in any case) or, for Bluesky, its DID; only a
   * DID is compared with platform ids (an X handle of digits must not find the account with that numeric id)
   */
  account?: { platform: string; name: string };
  /** the post's external id under that account; none for a profile link */
  postId?: string;
}

/**
 * Stands in MementoLookup.postId for the account's platform id: a Bluesky post's id carries its author's DID,
 * which a link by handle does not give.
 */
export const ACCOUNT_PLATFORM_ID = '{account}';

/**
 * Every capture of the statement a Memento lookup names, oldest first (ties: by statement, then version, so
 * the order is stable), and the URL it is held under; null when none. The first of the lookup's URLs that
 * holds one wins; only when none does, the post by its identity: its account's statements are unique by
 * external id. Usually one statement; a URL re-used by a platform gives several.
 */
export async function findMementoCaptures(
  db: EntityManager,
  lookup: MementoLookup,
): Promise<{ url: string; mementos: MementoCapture[] } | null> {
  const rows: { url: string; statement_id: string; number: number; captured_at: Date }[] = await db.query(
    `WITH by_url AS (
       SELECT id, url, seq, array_position($1::text[], url) AS rank FROM statements WHERE url = ANY($1::text[])
     ), held AS (
       SELECT id, url, seq FROM by_url WHERE rank = (SELECT min(rank) FROM by_url)
       UNION ALL
       SELECT s.id, s.url, s.seq
         FROM accounts a
         JOIN statements s ON s.account_id = a.id AND s.external_id = replace($4, $5, a.external_id)
        WHERE NOT EXISTS (SELECT FROM by_url)
          AND a.platform = $2 AND (CASE WHEN $3 LIKE 'did:%' THEN a.external_id = $3 ELSE lower(a.handle) = $3 END)
     )
     SELECT h.url, v.statement_id, v.number, v.captured_at
       FROM held h JOIN versions v ON v.statement_id = h.id
      ORDER BY v.captured_at, h.seq, v.number`,
    [lookup.urls, lookup.account?.platform, lookup.account?.name, lookup.postId, ACCOUNT_PLATFORM_ID],
  );
  if (rows.length === 0) return null;
  const mementos = rows.map((r) => ({
    statementId: r.statement_id,
    version: r.number,
    capturedAt: r.captured_at,
  }));
  return { url: rows[0].url, mementos };
}

/**
 * The account a Memento lookup names as a profile (by its profile URL, or a profile link's account), if any:
 * Memento uses it to explain why it has no captures.
 */
export async function findProfileAccountId(db: EntityManager, lookup: MementoLookup): Promise<string | null> {
  const profile = lookup.postId === undefined ? lookup.account : undefined;
  const [row]: { id: string }[] = await db.query(
    `SELECT id FROM accounts
      WHERE profile_url = ANY($1::text[]) OR (platform = $2 AND (CASE WHEN $3 LIKE 'did:%' THEN external_id = $3 ELSE lower(handle) = $3 END))
      LIMIT 1`,
    [lookup.urls, profile?.platform, profile?.name],
  );
  return row?.id ?? null;
}

export async function statementExists(db: EntityManager, id: string): Promise<boolean> {
  const rows: unknown[] = await db.query(`SELECT 1 FROM statements WHERE id = $1`, [id]);
  return rows.length > 0;
}

/** An artifact a version was read from, without its bytes. */
export interface CaptureArtifactLink {
  role: string;
  sha256: string;
  mediaType: string;
  size: number;
  /** the URL that answered with these bytes; null on links made before it was kept */
  url: string | null;
}

/** One version as the WARC export writes it: what the metadata record says, and the artifacts to write. */
export interface WarcCapture {
  statementId: string;
  statementUrl: string;
  version: number;
  capturedAt: Date;
  recordSha256: string;
  evidenceLevel: string;
  source: string;
  /** the version's entry in the transparency log; null while it waits for the sequencer */
  leafIndex: number | null;
  artifacts: CaptureArtifactLink[];
  /** the edit history read with this version came incomplete (our note, not in the record) */
  historyGap: HistoryGap | null;
}

/** Every version of the given statements with its artifact links (no bytes): by statement, then version. */
export async function findWarcCaptures(db: EntityManager, statementIds: string[]): Promise<WarcCapture[]> {
  const rows: {
    statement_id: string;
    url: string;
    number: number;
    captured_at: Date;
    record_sha256: string;
    evidence_level: string;
    source: string;
    leaf_index: string | null;
    artifacts: CaptureArtifactLink[];
    gap_kind: HistoryGap['kind'] | null;
    gap_detail: string | null;
  }[] = await db.query(
    `SELECT v.statement_id, s.url, v.number, v.captured_at, v.record_sha256, v.evidence_level, v.source,
       g.kind AS gap_kind, g.detail AS gap_detail,
       (SELECT min(e.idx) FROM log_entries e WHERE e.statement_id = v.statement_id AND e.version_number = v.number)
         AS leaf_index,
       COALESCE((SELECT json_agg(json_build_object('role', va.role, 'sha256', va.sha256,
                  'mediaType', COALESCE(va.media_type, ar.media_type), 'size', ar.size, 'url', va.url)
                  ORDER BY va.role, va.sha256)
         FROM version_artifacts va JOIN artifacts ar ON ar.sha256 = va.sha256
         WHERE va.statement_id = v.statement_id AND va.version_number = v.number), '[]') AS artifacts
     FROM versions v JOIN statements s ON s.id = v.statement_id
       LEFT JOIN version_history_gaps g ON g.statement_id = v.statement_id AND g.version_number = v.number
     WHERE v.statement_id = ANY($1::uuid[]) ORDER BY s.seq, v.number`,
    [statementIds],
  );
  return rows.map((r) => ({
    statementId: r.statement_id,
    statementUrl: r.url,
    version: r.number,
    capturedAt: r.captured_at,
    recordSha256: r.record_sha256,
    evidenceLevel: r.evidence_level,
    source: r.source,
    leafIndex: r.leaf_index === null ? null : Number(r.leaf_index),
    artifacts: r.artifacts.map((a) => ({ ...a, size: Number(a.size) })),
    historyGap: r.gap_kind === null ? null : { kind: r.gap_kind, detail: r.gap_detail ?? '' },
  }));
}

/** One observation (seen missing, deleted, restored…) as the WARC export writes it, with the answers showing it. */
export interface WarcObservation {
  statementId: string;
  statementUrl: string;
  observationId: string;
  status: string;
  previousStatus: string;
  reason: string | null;
  httpStatus: number | null;
  observedAt: Date;
  /** its entry in the transparency log; null while it waits for the sequencer */
  leafIndex: number | null;
  artifacts: CaptureArtifactLink[];
}

/** Every observation of the given statements with its artifact links (no bytes): by statement, then time. */
export async function findWarcObservations(
  db: EntityManager,
  statementIds: string[],
): Promise<WarcObservation[]> {
  const rows: {
    statement_id: string;
    url: string;
    id: string;
    status: string;
    previous_status: string;
    reason: string | null;
    http_status: number | null;
    observed_at: Date;
    leaf_index: string | null;
    artifacts: CaptureArtifactLink[];
  }[] = await db.query(
    `SELECT o.statement_id, s.url, o.id, o.status, o.previous_status, o.reason, o.http_status, o.observed_at,
       e.idx AS leaf_index,
       COALESCE((SELECT json_agg(json_build_object('role', oa.role, 'sha256', oa.sha256, 'mediaType', oa.media_type,
                  'size', ar.size, 'url', oa.url) ORDER BY oa.role, oa.sha256)
         FROM observation_artifacts oa JOIN artifacts ar ON ar.sha256 = oa.sha256
         WHERE oa.observation_id = o.id), '[]') AS artifacts
     FROM observations o JOIN statements s ON s.id = o.statement_id
       LEFT JOIN log_entries e ON e.observation_id = o.id
     WHERE o.statement_id = ANY($1::uuid[]) ORDER BY s.seq, o.observed_at, o.id`,
    [statementIds],
  );
  return rows.map((r) => ({
    statementId: r.statement_id,
    statementUrl: r.url,
    observationId: r.id,
    status: r.status,
    previousStatus: r.previous_status,
    reason: r.reason,
    httpStatus: r.http_status,
    observedAt: r.observed_at,
    leafIndex: r.leaf_index === null ? null : Number(r.leaf_index),
    artifacts: r.artifacts.map((a) => ({ ...a, size: Number(a.size) })),
  }));
}

/**
 * A page of an account's statement ids in capture order, after the `after` position (a `seq`): the account
 * export walks them page by page, so it never holds the whole account. With them, the web pages the account saw
 * that another account holds (statement_sightings), in the same order.
 */
export async function pageAccountStatementIds(
  db: EntityManager,
  accountId: string,
  after: string | null,
  limit: number,
): Promise<{ ids: string[]; last: string | null }> {
  const rows: { id: string; seq: string }[] = await db.query(
    `SELECT id, seq FROM (
       (SELECT id, seq FROM statements WHERE account_id = $1 AND ($2::bigint IS NULL OR seq > $2::bigint)
         ORDER BY seq LIMIT $3)
       UNION ALL
       (SELECT statement_id AS id, seq FROM statement_sightings
         WHERE account_id = $1 AND ($2::bigint IS NULL OR seq > $2::bigint) ORDER BY seq LIMIT $3)
     ) AS held ORDER BY seq LIMIT $3`,
    [accountId, after, limit],
  );
  return { ids: rows.map((r) => r.id), last: rows.length ? rows[rows.length - 1].seq : null };
}

/** The bytes of the given artifacts, by SHA-256 (what one capture's records are written from). */
export async function readArtifactBytes(db: EntityManager, sha256s: string[]): Promise<Map<string, Buffer>> {
  if (sha256s.length === 0) return new Map();
  const rows: { sha256: string; bytes: Buffer }[] = await db.query(
    `SELECT sha256, bytes FROM artifacts WHERE sha256 = ANY($1::text[])`,
    [sha256s],
  );
  return new Map(rows.map((r) => [r.sha256, r.bytes]));
}
