export * from './worker.module';
export * from './scheduler/scheduler.service';
