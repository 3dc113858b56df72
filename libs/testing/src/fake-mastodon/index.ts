export * from './fake-mastodon-server';
export * from './kuleba-statement';
export { mastodonHtml, railsJson, type Json, type MediaType, type Visibility } from './mastodon-json';
