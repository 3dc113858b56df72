export * from './fake-x-server';
export * from './kuleba-x';
