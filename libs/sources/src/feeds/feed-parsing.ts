import { join } from 'node:path';
import { type OffThreadParsing, errorFromThread, offThreadParsing } from '../parsing/off-thread-parsing';
import { parseFeedContents, type FeedParseInput, type FeedParseOutput } from './feed-parse-task';

/** How the feed connector parses a body: on a worker thread with a deadline, or (tests) in this thread. */
export type FeedParsing = OffThreadParsing<FeedParseInput, FeedParseOutput>;

export interface FeedParsingOptions {
  /** a parse still running after this is stopped and the body refused (VERBATIM_PARSE_TIMEOUT_MS) */
  timeoutMs: number;
  /** worker threads; default FEED_PARSE_THREADS */
  threads?: number;
  /** the worker script; default feed-parse-worker.js beside this module */
  script?: string;
}

/** Two threads: one hostile 10 MB body does not hold up the feeds behind it, and two cores are the norm. */
export const FEED_PARSE_THREADS = 2;
/** A feed that needs more heap than this to parse is refused, instead of taking the process down. */
const THREAD_HEAP_MB = 512;

/** Feed parsing for a running server: on worker threads when the compiled worker script exists. */
export function feedParsing(options: FeedParsingOptions): FeedParsing {
  return offThreadParsing({
    script: options.script ?? join(__dirname, 'feed-parse-worker.js'),
    threads: options.threads ?? FEED_PARSE_THREADS,
    heapMb: THREAD_HEAP_MB,
    timeoutMs: options.timeoutMs,
    inThread: async (input) => parseFeedContents(input),
    subject: (input) => input.baseUrl,
    failed: errorFromThread,
  });
}

/** Parses in the calling thread: for tests and tools that own their event loop. */
export function inThreadFeedParsing(): FeedParsing {
  return { where: 'in-thread', parse: async (input) => parseFeedContents(input), close: async () => {} };
}
