export * from './connector';
export * from './connector-registry';
export * from './http';
export * from './mastodon';
export * from './feeds';
export * from './x';
export * from './sources.module';
export * from './cursor';
export { refuseCredentialsInUrl } from './url-credentials';
