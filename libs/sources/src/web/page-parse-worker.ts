// The worker-thread entry of page parsing: the build compiles it to page-parse-worker.js beside the task,
// where pageParsing() finds it.
import { serveThreadTask } from '../parsing/thread-protocol';
import { parsePageContents } from './page-parse-task';

serveThreadTask(parsePageContents);
