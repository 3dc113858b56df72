import { canonicalSha256, sha256Hex } from './hash';
import { canonicalText } from './jcs';

/**
 * A platform's name as connectors report it ('mastodon', 'feed', …). Open: a new connector brings its own
 * name without touching the core; the connector registry knows which ones this build has.
 */
export type Platform = string;

/**
 * How strongly a version is evidenced: `platform-signed` (the platform's own signature verified),
 * `captured` (we fetched it from the platform), `quoted` (taken from a secondary source such as an article).
 */
export const EVIDENCE_LEVELS = ['platform-signed', 'captured', 'quoted'] as const;
export type EvidenceLevel = (typeof EVIDENCE_LEVELS)[number];

/**
 * What a raw artifact was to the capture. Open: connectors may add roles; these are the ones we document
 * (docs/evidence.md) and that readers such as the WARC export understand.
 */
export type ArtifactRole = string;
export const ARTIFACT_ROLES = {
  /** a platform API response body */
  response: 'response',
  /** the HTTP status line and headers exactly as received, for the body beside it */
  responseHead: 'response-head',
  /** a feed document (RSS, Atom) */
  feed: 'feed',
  /** a photo, video or other attached file */
  media: 'media',
  /** a platform's own proof of a record (AT Protocol CAR) */
  recordProof: 'record-proof',
  /** an identity document (a DID document, as the PLC directory or the did:web host served it) */
  didLog: 'did-log',
  /** a did:plc's signed operation log (`<plc>/<did>/log/audit`), which certifies the DID document without the directory */
  plcAuditLog: 'plc-audit-log',
  /** a web page */
  page: 'page',
  /** the document (article text or HTML) a quotation was read from, exactly as it was given to us */
  sourceDocument: 'source-document',
  /** a platform's own list of a post's earlier versions (Mastodon `/api/v1/statuses/:id/history`) */
  editHistory: 'edit-history',
  /** the HTTP status line and headers of the `edit-history` response beside it */
  editHistoryHead: 'edit-history-head',
} as const;

export interface MediaItem {
  /** image | video | audio | gifv | unknown, as the platform names it */
  kind: string;
  url: string;
  mediaType: string | null;
  description: string | null;
}

/** A media item that names a page (a link a post previews), not a file: listed in the record, never downloaded. */
export const LINK_PREVIEW_KIND = 'link-preview';
/** The image a platform showed for a link (Telegram preview, Mastodon card, Bluesky external embed, X URL entity). */
export const LINK_PREVIEW_IMAGE_KIND = 'link-preview-image';

/** Whether a media item names a file to download (a photo, a video, a link's preview image) rather than a page. */
export function isDownloadableMedia(item: Pick<MediaItem, 'kind'>): boolean {
  return item.kind !== LINK_PREVIEW_KIND;
}

export interface ArtifactDigest {
  role: ArtifactRole;
  sha256: string;
}

/**
 * The content of a statement as a platform showed it, independent of how we fetched it.
 * Two captures of an unchanged post have equal content, so equal `contentSha256`.
 */
export interface StatementContent {
  platform: Platform;
  account: string;
  postId: string;
  url: string;
  authoredAt: string | null;
  editedAt: string | null;
  title: string | null;
  text: string;
  html: string | null;
  language: string | null;
  media: MediaItem[];
  isReply: boolean;
  isRepost: boolean;
  isQuote: boolean;
  parserVersion: string;
  /**
   * Set only when the post was read from something other than the platform's own API for it: the public
   * embed endpoints of X (`x-syndication`: cdn.syndication.twimg.com tweet-result; `x-oembed`: publish.x.com
   * oembed), a lower grade of evidence the record itself states. Absent otherwise, so records made before it
   * existed keep their hashes.
   */
  via?: string;
  /**
   * The platform's own content address of this version, where it has one: an AT Protocol record's CID
   * (Bluesky). A rewritten record gets a new CID, so an edit is a new version even when the words stay the
   * same. Absent for platforms without one, so their records keep their hashes.
   */
  cid?: string;
  /**
   * Who a web page says wrote it (Readability's byline, else `<meta name="author">`), as the page printed it:
   * a claim of the page, not a verified author. Absent for other platforms, so their records keep their hashes.
   */
  byline?: string;
}

/** The normalized record of one captured version: its content plus the digests of the raw bytes it came from. */
export interface StatementRecord extends StatementContent {
  artifacts: ArtifactDigest[];
}

export function buildRecord(content: StatementContent, artifacts: ArtifactDigest[]): StatementRecord {
  const sorted = [...artifacts].sort(
    (a, b) => a.role.localeCompare(b.role) || a.sha256.localeCompare(b.sha256),
  );
  return { ...content, artifacts: sorted };
}

/**
 * Decides whether a capture is a new version: hashes the content alone, not the bytes it arrived in. A link's
 * preview image is left out: the platform makes it, often after the post (X unwinds a link later), and may
 * make it again, so it is kept in the record where it was seen but is never the author's edit.
 */
export function contentSha256(content: StatementContent): string {
  if (!content.media.some((m) => m.kind === LINK_PREVIEW_IMAGE_KIND)) return canonicalSha256(content);
  return canonicalSha256({
    ...content,
    media: content.media.filter((m) => m.kind !== LINK_PREVIEW_IMAGE_KIND),
  });
}

/** The hash a version is known by: SHA-256 of the RFC 8785 bytes of its full record. */
export function recordSha256(record: StatementRecord): string {
  return canonicalSha256(record);
}

/** A record's RFC 8785 text (JSON, to store) and its hash (`recordSha256`), from one serialisation. */
export function canonicalRecord(record: StatementRecord): { json: string; sha256: string } {
  const json = canonicalText(record);
  return { json, sha256: sha256Hex(json) };
}

/** RFC 3339 UTC with milliseconds, or null when the input is not a valid date. */
export function toUtcTimestamp(value: string | number | Date | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
 * PostgreSQL text and jsonb cannot hold U+0000, which an untrusted source may send. The normalized record
 * carries U+FFFD in its place (the raw artifact keeps the exact bytes).
 */
export function withoutNulCharacters<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll('\u0000', '\uFFFD') as T;
  if (Array.isArray(value)) return value.map((item: unknown) => withoutNulCharacters(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [withoutNulCharacters(k), withoutNulCharacters(v)]),
    ) as T;
  }
  return value;
}
