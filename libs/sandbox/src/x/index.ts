export * from './x-records';
export * from './x-api-json';
export * from './x-embed-json';
export * from './x-router';
export * from './x-store';
export * from './kuleba-x';
export * from './sandbox-x-server';
