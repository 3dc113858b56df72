export * from './mastodon-connector';
export {
  type MastodonAccount,
  type MastodonMediaAttachment,
  type MastodonStatus,
  parseStatus,
} from './mastodon-entities';
export { compareIds, newestId } from './mastodon-ids';
export { MASTODON_BATCH_LIMIT } from './mastodon-recheck';
export { MASTODON_PARSER_VERSION, statusToContent } from './mastodon-status';
export {
  type MastodonAccountRef,
  type MastodonPostRef,
  parseMastodonAccountUrl,
  parseMastodonPostUrl,
} from './mastodon-urls';
