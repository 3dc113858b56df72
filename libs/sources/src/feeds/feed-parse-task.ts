import { type StatementContent } from '@app/core';
import { feedItemToContent, type ParsedFeed } from './feed-items';
import { parseFeed } from './feed-parser';
import { asBuffer } from '../parsing/thread-bytes';

/** What a feed parse needs; plain data, so that it can be sent to a worker thread. */
export interface FeedParseInput {
  /** the body as received (a Buffer arrives in a thread as a plain Uint8Array) */
  bytes: Uint8Array;
  /** the URL relative links resolve against: the one that answered, after redirects */
  baseUrl: string;
  contentType: string | null;
  /** the tracked feed URL, the account every item is a statement of */
  handle: string;
}

/** A feed read down to the statements its items show: every CPU-heavy step (XML, HTML to text) is in here. */
export interface FeedParseOutput {
  format: ParsedFeed['format'];
  title: string | null;
  link: string | null;
  contents: StatementContent[];
}

export function parseFeedContents(input: FeedParseInput): FeedParseOutput {
  const bytes = asBuffer(input.bytes);
  const feed = parseFeed(bytes, input.baseUrl, { contentType: input.contentType });
  return {
    format: feed.format,
    title: feed.title,
    link: feed.link,
    contents: feed.items.map((item) => feedItemToContent(item, input.handle)),
  };
}
