export * from './connector';
export * from './connector-registry';
export * from './http';
export * from './mastodon';
export * from './feeds';
export * from './sources.module';
export { refuseCredentialsInUrl } from './url-credentials';
