export * from './feed-items';
export { parseFeed, type ParseFeedOptions } from './feed-parser';
export { FeedConnector } from './feed-connector';
export { NOT_A_FEED } from './xml-text';
export {
  FEED_PARSE_THREADS,
  feedParsing,
  inThreadFeedParsing,
  type FeedParsing,
  type FeedParsingOptions,
} from './feed-parsing';
export { parseFeedContents, type FeedParseInput, type FeedParseOutput } from './feed-parse-task';
