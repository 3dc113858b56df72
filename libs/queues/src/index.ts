export * from './queue-names';
export * from './redis-options';
export * from './queues.module';
export * from './schedule-media';
export * from './queue-keys';
export * from './ask-again';
