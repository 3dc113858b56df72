// What the composition root (apps/cli/src/server) needs from the worker; nothing else imports this app.
export * from './worker.module';
export * from './scheduler/scheduler.service';
