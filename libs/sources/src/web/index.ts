export {
  WebConnector,
  WEB_RELEASES_PER_POLL,
  WEB_PARSER_VERSION,
  LIST_PAGE_ROLE,
  type WebCursor,
} from './web-connector';
export { pageParsing, inThreadPageParsing, PAGE_PARSE_THREADS, type PageParsing } from './page-parsing';
export { decodeHtml, parsePageContents, type PageParseInput, type PageParseOutput } from './page-parse-task';
export { normalizePageUrl } from './web-urls';
export { bodyKind } from './body-kind';
