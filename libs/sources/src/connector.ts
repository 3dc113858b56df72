import { type ArtifactRole, type Platform, type StatementContent } from '@app/core';

/** Exact bytes as the platform sent them, kept as an artifact. */
export interface RawArtifact {
  role: ArtifactRole;
  mediaType: string;
  bytes: Buffer;
}

/** One post as a connector found it, with the raw artifacts it was read from. */
export interface FetchedPost {
  content: StatementContent;
  /** raw artifacts this post was read from (a response may serve many posts) */
  artifacts: RawArtifact[];
}

/** What a connector needs to find an account again. Produced by `resolve`, stored on the account row. */
export interface ResolvedAccount {
  platform: Platform;
  /** `user@host` for Mastodon, the feed URL for feeds */
  handle: string;
  /** the platform's id for the account (Mastodon account id, feed URL) */
  externalId: string;
  displayName: string | null;
  /** the page a person would open */
  profileUrl: string;
  /** where the connector reads from (API base URL, feed URL) */
  sourceUrl: string;
}

/** Where the last poll stopped, kept on the account row between polls. All fields optional. */
export interface PollCursor {
  /** newest post id seen (Mastodon since_id) */
  sinceId?: string;
  etag?: string;
  lastModified?: string;
  /** SHA-256 of the last body, for servers that ignore conditional requests */
  bodySha256?: string;
}

export type PollResult =
  /** the source said or showed that nothing changed */
  | { kind: 'unchanged'; httpStatus: number; cursor: PollCursor }
  | { kind: 'posts'; httpStatus: number; posts: FetchedPost[]; cursor: PollCursor };

export interface Connector {
  readonly platform: Platform;
  /** Whether this connector recognises the URL as an account it can track. Cheap: no I/O. */
  canTrack(url: URL): boolean;
  /** Whether this connector recognises the URL as a single post it can capture. Cheap: no I/O. */
  canCapture(url: URL): boolean;
  /** Looks the account up on the platform. Throws SourceError (SourceNotFound when it does not exist). */
  resolve(url: URL): Promise<ResolvedAccount>;
  /** New and changed posts since the cursor. Throws SourceError. */
  poll(account: ResolvedAccount, cursor: PollCursor): Promise<PollResult>;
  /** One post by its URL, with the account it belongs to. Throws SourceError. */
  fetchPost(url: URL): Promise<{ account: ResolvedAccount; post: FetchedPost }>;
  /** "Capture this URL now": the post a post URL names, or every item of a feed URL. Throws SourceError. */
  capture(url: URL): Promise<{ account: ResolvedAccount; posts: FetchedPost[] }>;
  /** What a person should type to use this connector, for error messages: e.g. "a Mastodon profile URL (https://host/@user)" */
  readonly describes: string;
}
