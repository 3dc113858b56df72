export * from './fake-bluesky-server';
export * from './bluesky-repos';
