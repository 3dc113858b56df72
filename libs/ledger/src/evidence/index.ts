export * from './log-entry';
export * from './bundle';
export * from './bundle-text';
export * from './history-gap';
export * from './verify-bundle';
export { parseJsonStrict } from './strict-json';
export { type JsonObject, type JsonValue } from './fields';
