// The renderers are production code shared with the demo's sandbox server: kept importable from here.
export * from '@app/sandbox/mastodon/mastodon-json';
