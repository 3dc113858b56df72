export * from './mastodon-connector';
export * from './mastodon-entities';
export * from './mastodon-ids';
export * from './mastodon-link-header';
export * from './mastodon-status';
export * from './mastodon-urls';
