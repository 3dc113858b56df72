export * from './capture-writer';
export * from './capture.module';
export * from './group-commit';
export * from './poll-schedule';
export * from './prepare-posts';
export * from './recheck-plan';
export * from './record-extraction';
