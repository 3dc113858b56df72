export * from './x-connector';
export { syndicationToken } from './x-syndication-token';
export { X_API_PARSER_VERSION, tweetToContent, unescapeXText } from './x-tweet';
export { X_OEMBED_PARSER_VERSION, X_SYNDICATION_PARSER_VERSION } from './x-embed-entities';
export { compareXIds, snowflakeTime } from './x-ids';
export {
  isXHost,
  parseXAccountUrl,
  parseXPostUrl,
  withoutXShareParams,
  xPostUrl,
  xProfileUrl,
} from './x-urls';
