export * from './mastodon-connector';
export { MastodonEditHistoryReader, missedEdits, needsEditHistory } from './mastodon-edit-history';
export {
  type MastodonAccount,
  type MastodonMediaAttachment,
  type MastodonStatus,
  type MastodonStatusEdit,
  parseStatus,
  parseStatusEditList,
} from './mastodon-entities';
export { compareIds, newestId } from './mastodon-ids';
export { MASTODON_BATCH_LIMIT } from './mastodon-recheck';
export { MASTODON_PARSER_VERSION, editToContent, statusToContent } from './mastodon-status';
export {
  type MastodonAccountRef,
  type MastodonPostRef,
  parseMastodonAccountUrl,
  parseMastodonPostUrl,
} from './mastodon-urls';
export {
  OFF_THREAD_MASTODON_BYTES,
  type MastodonParsing,
  inThreadMastodonParsing,
  mastodonParsing,
} from './mastodon-parsing';
