// What an X-shaped platform holds, before it is rendered as the v2 API, the syndication endpoint or oEmbed
// render it. Shared by the demo's sandbox server and the test fake (libs/testing/src/fake-x).

export interface XUserRecord {
  /** X ids are decimal strings: they pass 2^53, so they are never numbers here */
  id: string;
  username: string;
  name: string;
  protected: boolean;
  suspended: boolean;
}

export type XMediaType = 'photo' | 'video' | 'animated_gif';

export interface XMediaRecord {
  /** `3_<id>` for photos, `7_<id>` for videos, `16_<id>` for GIFs, as X keys them */
  mediaKey: string;
  type: XMediaType;
  /** photos only: the file itself */
  url: string | null;
  /** videos and GIFs: the still shown before playing */
  previewImageUrl: string | null;
  altText: string | null;
  /** videos and GIFs: the encodings X serves */
  variants: { bitRate: number | null; contentType: string; url: string }[];
}

export type XReferenceType = 'retweeted' | 'replied_to' | 'quoted';

/** A link in a post's text (at its end, as X places a link it previews), with what X unwound from it. */
export interface XLinkRecord {
  expandedUrl: string;
  title: string | null;
  description: string | null;
  /** the preview images X made for the page, largest first */
  images: { url: string; width: number; height: number }[];
}

/** One version of a post. An edit is a new record with a new id; all versions share `editHistory`. */
export interface XTweetRecord {
  id: string;
  authorId: string;
  /** the full text as the author wrote it (unescaped); a long post's API `text` is cut from it */
  text: string;
  createdAt: string;
  lang: string;
  /** the ids of every version of this post, oldest first (this one included) */
  editHistory: string[];
  references: { type: XReferenceType; id: string }[];
  media: XMediaRecord[];
  /** links X unwound and previews; absent: none */
  links?: XLinkRecord[];
  /** deleting any version deletes the whole chain */
  deleted: boolean;
  /** withheld or otherwise hidden from the public embeds (answered with a TweetTombstone) */
  withheld: boolean;
}

/** What the renderers and the router need to look records up. */
export interface XPlatformView {
  userById(id: string): XUserRecord | undefined;
  userByUsername(username: string): XUserRecord | undefined;
  tweet(id: string): XTweetRecord | undefined;
  /** every record of the user, any version, any state */
  tweetsOf(userId: string): XTweetRecord[];
}

/** X's snowflake epoch (2010-11-04T01:42:54.657Z): ids carry their creation time in their top bits. */
export const X_EPOCH_MS = 1288834974657n;

/** A snowflake id for a post created at `at`; `sequence` keeps ids created in the same millisecond apart. */
export function snowflakeAt(at: string | Date, sequence = 0): string {
  const ms = BigInt(new Date(at).getTime());
  return (((ms - X_EPOCH_MS) << 22n) | BigInt(sequence & 0x3fffff)).toString();
}

/** The latest version of a chain: what timelines show. */
export function isLatestVersion(tweet: XTweetRecord): boolean {
  return tweet.editHistory[tweet.editHistory.length - 1] === tweet.id;
}

export function compareXIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
