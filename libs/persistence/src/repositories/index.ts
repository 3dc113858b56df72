export * from './capture.repository';
export * from './account-schedule.repository';
export * from './capture-run.repository';
export * from './account.repository';
export * from './capture-request.repository';
export * from './outbox.repository';
export * from './subscription.repository';
export * from './recheck.repository';
