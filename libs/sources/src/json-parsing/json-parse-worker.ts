// The worker-thread entry of JSON body parsing (X and Bluesky): the build compiles it to json-parse-worker.js
// beside the parser, where jsonParsing() finds it.
import { serveThreadTask } from '../parsing/thread-protocol';
import { type JsonParseInput, runJsonParse } from './json-parse-task';

serveThreadTask((input: JsonParseInput) => runJsonParse(input));
