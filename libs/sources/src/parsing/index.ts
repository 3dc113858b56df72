export * from './thread-pool';
export * from './thread-protocol';
export * from './off-thread-parsing';
