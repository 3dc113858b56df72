export * from './app.module';
export * from './create-app';
export * from './run-server';
