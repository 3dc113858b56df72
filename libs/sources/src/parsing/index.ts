export * from './thread-pool';
export * from './thread-protocol';
