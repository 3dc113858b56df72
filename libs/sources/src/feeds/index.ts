export * from './feed-items';
export { parseFeed, type ParseFeedOptions } from './feed-parser';
export { FeedConnector } from './feed-connector';
export { NOT_A_FEED } from './xml-text';
