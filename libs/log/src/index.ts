export * from './log-keys';
export * from './log-store';
export * from './integrate-log';
export * from './schedule-integration';
export * from './log.module';
export * from './log-proofs';
export * from './evidence';
export * from './checkpoint-note';
