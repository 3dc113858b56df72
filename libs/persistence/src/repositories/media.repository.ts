import { type EntityManager } from 'typeorm';
import { buildLogEntry } from '@app/ledger';
import { type VersionKey } from './capture.repository';

/** A media item still to download, with the version it belongs to. */
export interface MediaToDownload {
  position: number;
  url: string;
  kind: string;
  attempts: number;
}

/** The version's record hash and its media items still pending (none once all were settled). */
export async function findMediaToDownload(
  db: EntityManager,
  key: VersionKey,
): Promise<{ recordSha256: string; items: MediaToDownload[] } | null> {
  const [version]: { record_sha256: string }[] = await db.query(
    `SELECT record_sha256 FROM versions WHERE statement_id = $1 AND number = $2`,
    [key.statementId, key.version],
  );
  if (!version) return null;
  const rows: MediaToDownload[] = await db.query(
    `SELECT position, url, kind, attempts FROM media_files
     WHERE statement_id = $1 AND version_number = $2 AND state = 'pending' ORDER BY position`,
    [key.statementId, key.version],
  );
  return { recordSha256: version.record_sha256, items: rows };
}

/** A media file now in the blob store. */
export interface StoredMedia {
  key: VersionKey;
  recordSha256: string;
  position: number;
  sha256: string;
  size: number;
  mediaType: string;
  downloadedAt: Date;
}

/**
 * Records a downloaded file: its artifact row (bytes in the blob store), the item's outcome, and a `media`
 * log entry naming the version and the file. Only the first writer of an item's outcome logs it, so a job
 * run twice (or two workers racing) leaves one entry. Returns whether this call recorded it.
 */
export async function recordStoredMedia(
  db: EntityManager,
  media: StoredMedia,
  logOrigin: string,
): Promise<boolean> {
  await db.query(
    `INSERT INTO artifacts (sha256, media_type, size, bytes, storage) VALUES ($1, $2, $3, NULL, 'blobs')
     ON CONFLICT (sha256) DO NOTHING`,
    [media.sha256, media.mediaType, media.size],
  );
  const updated: unknown[] = await db.query(
    `UPDATE media_files SET state = 'stored', sha256 = $4, size = $5, media_type = $6, reason = NULL,
       attempts = attempts + 1, updated_at = now()
     WHERE statement_id = $1 AND version_number = $2 AND position = $3 AND state = 'pending'
     RETURNING position`,
    [media.key.statementId, media.key.version, media.position, media.sha256, media.size, media.mediaType],
  );
  if (updated.length === 0) return false;
  const entry = buildLogEntry({
    type: 'media',
    statementId: media.key.statementId,
    version: media.key.version,
    recordSha256: media.recordSha256,
    artifacts: [{ role: 'media', mediaType: media.mediaType, size: media.size, sha256: media.sha256 }],
    capturedAt: media.downloadedAt.toISOString(),
    origin: logOrigin,
  });
  await db.query(`INSERT INTO log_pending (entry, statement_id, version_number) VALUES ($1, $2, $3)`, [
    Buffer.from(entry),
    media.key.statementId,
    media.key.version,
  ]);
  return true;
}

/** Downloads of one item that fail before it is recorded as `failed` for good. */
export const MEDIA_ATTEMPTS = 3;

/**
 * Records an item that was not stored, with the reason a person can read. `skipped` (larger than allowed) is
 * final. `failed` (HTTP error, network, timeout) stays `pending` until MEDIA_ATTEMPTS downloads failed, so the
 * scheduler queues it again later; then it is `failed` for good. Returns the state recorded.
 */
export async function recordUnstoredMedia(
  db: EntityManager,
  key: VersionKey,
  position: number,
  outcome: 'skipped' | 'failed',
  reason: string,
): Promise<'skipped' | 'failed' | 'pending' | null> {
  const rows: { state: 'skipped' | 'failed' | 'pending' }[] = await db.query(
    `UPDATE media_files
     SET state = CASE WHEN $4 = 'failed' AND attempts + 1 < $6 THEN 'pending' ELSE $4 END,
         reason = $5, attempts = attempts + 1, updated_at = now()
     WHERE statement_id = $1 AND version_number = $2 AND position = $3 AND state = 'pending'
     RETURNING state`,
    [key.statementId, key.version, position, outcome, reason.slice(0, 1000), MEDIA_ATTEMPTS],
  );
  return rows[0]?.state ?? null;
}

/** Versions with media still pending since before `before` (their job was lost, e.g. Redis was away). */
export async function findVersionsWithPendingMedia(
  db: EntityManager,
  before: Date,
  limit: number,
): Promise<VersionKey[]> {
  const rows: { statement_id: string; version_number: number }[] = await db.query(
    `SELECT DISTINCT statement_id, version_number FROM media_files
     WHERE state = 'pending' AND updated_at < $1 LIMIT $2`,
    [before, limit],
  );
  return rows.map((r) => ({ statementId: r.statement_id, version: r.version_number }));
}

/** What downloading each media item of a version gave, in record order. */
export interface MediaFileView {
  position: number;
  url: string;
  kind: string;
  state: 'pending' | 'stored' | 'skipped' | 'failed';
  sha256: string | null;
  size: number | null;
  mediaType: string | null;
  reason: string | null;
}

/** The media items of these versions, by `statementId/version`. */
export async function findMediaFiles(
  db: EntityManager,
  keys: VersionKey[],
): Promise<Map<string, MediaFileView[]>> {
  const byVersion = new Map<string, MediaFileView[]>();
  if (keys.length === 0) return byVersion;
  const rows: {
    statement_id: string;
    version_number: number;
    position: number;
    url: string;
    kind: string;
    state: MediaFileView['state'];
    sha256: string | null;
    size: string | null;
    media_type: string | null;
    reason: string | null;
  }[] = await db.query(
    `SELECT m.* FROM unnest($1::uuid[], $2::int[]) AS k(statement_id, version_number)
     JOIN media_files m USING (statement_id, version_number) ORDER BY m.position`,
    [keys.map((k) => k.statementId), keys.map((k) => k.version)],
  );
  for (const r of rows) {
    const name = `${r.statement_id}/${r.version_number}`;
    const list = byVersion.get(name) ?? [];
    list.push({
      position: r.position,
      url: r.url,
      kind: r.kind,
      state: r.state,
      sha256: r.sha256,
      size: r.size === null ? null : Number(r.size),
      mediaType: r.media_type,
      reason: r.reason,
    });
    byVersion.set(name, list);
  }
  return byVersion;
}
