export { OFF_THREAD_JSON_BYTES, type JsonParsing, inThreadJsonParsing, jsonParsing } from './json-parsing';
export { type JsonBodyOf, type JsonBodyShape } from './json-body-shapes';
