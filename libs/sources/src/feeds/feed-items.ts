import { htmlToPlainText, type MediaItem, type StatementContent } from '@app/core';

export type FeedFormat = 'rss2' | 'rss1' | 'atom';

export interface FeedEnclosure {
  url: string;
  /** MIME type as the feed gave it */
  type: string | null;
  /** media:description or similar alt text */
  description: string | null;
  /** media:content's `medium` (image | video | audio | document | executable) */
  medium: string | null;
}

/** One entry of a feed, normalized across RSS 2.0, RSS 1.0 and Atom. */
export interface FeedItem {
  /** identity key: RSS guid, Atom id, normalized link, or `sha256:` of title + "\n" + date */
  id: string;
  /** absolute URL, resolved against the feed URL */
  link: string | null;
  title: string | null;
  /** the item body as HTML (plain-text bodies are escaped) */
  html: string | null;
  /** RFC 3339 UTC */
  published: string | null;
  /** RFC 3339 UTC (Atom `updated`) */
  updated: string | null;
  author: string | null;
  categories: string[];
  enclosures: FeedEnclosure[];
  /** item xml:lang / dc:language, else the channel's or feed's language */
  language: string | null;
}

export interface ParsedFeed {
  format: FeedFormat;
  title: string | null;
  /** the site the feed belongs to (RSS channel link, Atom alternate link), absolute */
  link: string | null;
  language: string | null;
  items: FeedItem[];
}

export const FEED_PARSER_VERSION = 'feed/1';

/** The statement a feed item shows. `feedHandle` is the tracked feed URL (the account's handle). */
export function feedItemToContent(item: FeedItem, feedHandle: string): StatementContent {
  const editedAt = item.published && item.updated && item.updated !== item.published ? item.updated : null;
  return {
    platform: 'feed',
    account: feedHandle,
    postId: item.id,
    url: item.link ?? feedHandle,
    authoredAt: item.published ?? item.updated,
    editedAt,
    title: item.title,
    text: item.html ? htmlToPlainText(item.html) : '',
    html: item.html,
    language: item.language,
    media: item.enclosures.map(enclosureToMedia),
    isReply: false,
    isRepost: false,
    isQuote: false,
    parserVersion: FEED_PARSER_VERSION,
  };
}

const MEDIA_KINDS = new Set(['image', 'video', 'audio']);

function enclosureToMedia(enclosure: FeedEnclosure): MediaItem {
  const topLevel = enclosure.type?.split('/')[0].trim().toLowerCase();
  // the MIME type decides; media:content's `medium` only when the feed gave no type
  const kind = topLevel ? topLevel : (enclosure.medium?.toLowerCase() ?? '');
  return {
    kind: MEDIA_KINDS.has(kind) ? kind : 'unknown',
    url: enclosure.url,
    mediaType: enclosure.type,
    description: enclosure.description,
  };
}
