export * from './mastodon/mastodon-json';
export * from './mastodon/kuleba-statement';
export * from './mastodon/sandbox-mastodon-server';
export * from './x';
