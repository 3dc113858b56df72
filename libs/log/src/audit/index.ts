export * from './audit-log';
export * from './checkpoint-check';
export * from './streaming-tree';
