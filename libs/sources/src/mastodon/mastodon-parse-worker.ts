// The worker-thread entry of Mastodon parsing: the build compiles it to mastodon-parse-worker.js beside the
// parser, where mastodonParsing() finds it.
import { serveThreadTask } from '../parsing/thread-protocol';
import { runMastodonParse } from './mastodon-parse-task';

serveThreadTask(runMastodonParse);
