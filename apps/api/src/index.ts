// What the composition root (apps/cli/src/server) needs from the API; nothing else imports this app.
export * from './api.module';
export * from './api-docs';
export { ErrorFilter } from './common/error.filter';
export { createValidationPipe } from './common/validation';
export { AccessPolicy } from './auth/access-policy';
export { TokenGuard } from './auth/token.guard';
