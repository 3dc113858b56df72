export * from './followed-logs';
export * from './witness-key';
export * from './witness-service';
export * from './witness-client';
