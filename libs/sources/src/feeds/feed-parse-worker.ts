// The worker-thread entry of feed parsing: the build compiles it to feed-parse-worker.js beside the parser,
// where feedParsing() finds it.
import { serveThreadTask } from '../parsing/thread-protocol';
import { parseFeedContents } from './feed-parse-task';

serveThreadTask(parseFeedContents);
