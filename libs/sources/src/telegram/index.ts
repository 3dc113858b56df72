export * from './telegram-connector';
export { TELEGRAM_PARSER_VERSION, messageToContent } from './telegram-content';
export { findIdGaps, knownIdsMissingFromListing } from './telegram-gaps';
export { type LinkPreview, type TelegramMessage, parseViews } from './telegram-message';
export { type ChannelPage, type EmbedPage, parseChannelPage, parseEmbedPage } from './telegram-page';
export {
  OFF_THREAD_TELEGRAM_BYTES,
  type TelegramParsing,
  inThreadTelegramParsing,
  telegramParsing,
} from './telegram-parsing';
export { parseTelegramChannelUrl, parseTelegramPostUrl } from './telegram-urls';
