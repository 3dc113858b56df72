import { type ArtifactRole, type EvidenceLevel, type Platform, type StatementContent } from '@app/core';

/** Exact bytes as the platform sent them, kept as an artifact. */
export interface RawArtifact {
  /** one of ARTIFACT_ROLES, or a connector's own */
  role: ArtifactRole;
  mediaType: string;
  bytes: Buffer;
  /** the URL that answered with these bytes, after redirects (the WARC export's target URI) */
  url?: string;
}

/** One post as a connector found it, with the raw artifacts it was read from. */
export interface FetchedPost {
  content: StatementContent;
  /** raw artifacts this post was read from (a response may serve many posts), each body with its `response-head` */
  artifacts: RawArtifact[];
  /** how the post was obtained: read from the platform, verified against its signature, or quoted by a third party */
  evidenceLevel: EvidenceLevel;
  /** earlier versions the platform's own edit history shows, where the connector read it (best effort) */
  history?: EditHistory;
}

/**
 * A version of a post we never read ourselves, as the platform's edit history served it when we read the
 * post: its content and the bytes it was read from (the history response, and whatever else gave fields).
 * Stored as a version with `source: 'platform-history'` and evidence level `captured`.
 */
export interface HistoryVersion {
  content: StatementContent;
  artifacts: RawArtifact[];
}

/**
 * What reading a post's edit history gave: the versions between the one we hold and the current one, oldest
 * first (the current version itself is the post), with `truncated` saying how many were left out, and from
 * when, when not all are kept, and `truncatedAfter` the index of the version they came after; or why it could
 * not be read, which never fails the post.
 */
export type EditHistory =
  | { kind: 'read'; versions: HistoryVersion[]; truncated?: string; truncatedAfter?: number }
  | { kind: 'failed'; detail: string };

/** What a connector needs to find an account again. Produced by `resolve`, stored on the account row. */
export interface ResolvedAccount {
  platform: Platform;
  /** `user@host` for Mastodon, the channel name for Telegram, the feed URL for feeds */
  handle: string;
  /** the platform's id for the account (Mastodon account id, lower-cased Telegram channel name, feed URL) */
  externalId: string;
  displayName: string | null;
  /** the page a person would open */
  profileUrl: string;
  /** where the connector reads from (API base URL, feed URL) */
  sourceUrl: string;
}

export type PollResult<Cursor> =
  /** the source said or showed that nothing changed */
  (
    | { kind: 'unchanged'; httpStatus: number; cursor: Cursor }
    | { kind: 'posts'; httpStatus: number; posts: FetchedPost[]; cursor: Cursor }
  ) & {
    /**
     * Platform ids of posts the source's listing skipped although it showed posts on both sides of them (a gap
     * in Telegram's message ids): a cheap hint that they were deleted, worth re-checking now. Evidence of
     * nothing by itself: only a re-read answers.
     */
    suspectedMissing?: string[];
  };

/** A post we hold and want to read again: its platform id and where a person would open it. */
export interface PostRef {
  postId: string;
  url: string;
  /** what we hold of the post (its latest version), so a connector can tell an edit we missed */
  held?: HeldPost;
}

export interface HeldPost {
  /** `editedAt` of our latest version (null: the original, never edited) */
  editedAt: string | null;
  contentSha256: string;
}

/** Why a post cannot be read although the platform did not say it is gone. */
export type UnavailableReason = 'account-suspended' | 'account-gone' | 'private' | 'login-wall' | 'withheld';

/**
 * What re-reading one post showed. Only `not-found` and `gone` are evidence that a post went away; `unknown`
 * (timeouts, 5xx, 429, DNS, connection resets) is evidence of nothing, however often it repeats.
 */
export type PostAnswer =
  | { kind: 'found'; ref: PostRef; post: FetchedPost }
  /** the platform said, definitively, that there is no such post; `evidence` is the answer it gave */
  | { kind: 'not-found'; ref: PostRef; httpStatus: number; evidence: RawArtifact[] }
  /** the platform said the post existed and was removed (410 or equivalent) */
  | { kind: 'gone'; ref: PostRef; httpStatus: number; evidence: RawArtifact[] }
  | {
      kind: 'unavailable';
      ref: PostRef;
      reason: UnavailableReason;
      detail: string;
      httpStatus: number | null;
      evidence: RawArtifact[];
    }
  | { kind: 'unknown'; ref: PostRef; detail: string };

/**
 * For platforms paid per read (X): counts what one call used as it goes, so a call that fails halfway still
 * counts the reads it made. The caller stores the total on the account.
 */
export interface ReadMeter {
  /** reads still allowed this month for this account; a connector stops paging when it reaches 0 */
  readonly remaining: number;
  add(reads: number): void;
}

/**
 * One platform. Connectors are asked in registry order; `fallback` connectors (generic feeds and pages) only
 * after every specific one declined a URL.
 *
 * `Cursor` is where the last poll stopped. It is stored on the account row as JSON and belongs to the
 * connector: `readCursor` validates what was stored before `poll` sees it.
 */
export interface Connector<Cursor = unknown> {
  readonly platform: Platform;
  /** What a person should type to use this connector, for error messages: e.g. "a Mastodon profile URL (https://host/@user)" */
  readonly describes: string;
  /** true for a generic connector that may claim any http(s) URL: asked only after the specific ones */
  readonly fallback?: boolean;
  /**
   * For platforms paid per read: the most reads one account may use in a calendar month (UTC). Once used up,
   * its polls are recorded failures until the next month. Undefined: reads are free.
   */
  readonly monthlyReadBudget?: number;
  /**
   * Whether the URL's host belongs to this platform. The registry answers such a URL that `canTrack` or
   * `canCapture` declined with this connector's `describes`, instead of handing it to a fallback connector.
   */
  ownsHost?(url: URL): boolean;
  /** Whether the URL's shape is an account this connector can track. Cheap: no I/O. */
  canTrack(url: URL): boolean;
  /** Whether the URL's shape is something this connector can capture now (a post, a feed). Cheap: no I/O. */
  canCapture(url: URL): boolean;
  /** Looks the account up on the platform. Throws SourceError (SourceNotFound when it does not exist). */
  resolve(url: URL): Promise<ResolvedAccount>;
  /** The stored cursor, validated; `{}` (never polled) must be accepted. Throws SourceError(SourceInvalidCursor). */
  readCursor(stored: unknown): Cursor;
  /** New and changed posts since the cursor. Throws SourceError. */
  poll(account: ResolvedAccount, cursor: Cursor, meter?: ReadMeter): Promise<PollResult<Cursor>>;
  /** "Capture this URL now": the post a post URL names, or every item of a feed URL. Throws SourceError. */
  capture(url: URL, meter?: ReadMeter): Promise<{ account: ResolvedAccount; posts: FetchedPost[] }>;
  /**
   * Re-reads known posts of one account in as few requests as the platform allows, answering for every ref
   * (in the order given). Never throws for a per-post problem: that is an `unknown` answer.
   */
  fetchMany(account: ResolvedAccount, refs: PostRef[], meter?: ReadMeter): Promise<PostAnswer[]>;
}
