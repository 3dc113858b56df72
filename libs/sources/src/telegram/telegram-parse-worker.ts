// The worker-thread entry of Telegram parsing: the build compiles it to telegram-parse-worker.js beside the
// parser, where telegramParsing() finds it.
import { serveThreadTask } from '../parsing/thread-protocol';
import { runTelegramParse } from './telegram-parse-task';

serveThreadTask(runTelegramParse);
