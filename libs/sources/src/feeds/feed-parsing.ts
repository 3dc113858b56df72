import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, SourceError } from '@app/core';
import { ThreadPool, ThreadTaskError, ThreadTaskFailure } from '../parsing/thread-pool';
import { parseFeedContents, type FeedParseInput, type FeedParseOutput } from './feed-parse-task';

/** How the feed connector parses a body: on a worker thread with a deadline, or (tests) in this thread. */
export interface FeedParsing {
  /** where the parse runs, for logs and tests */
  readonly where: 'worker-thread' | 'in-thread';
  parse(input: FeedParseInput): Promise<FeedParseOutput>;
  close(): Promise<void>;
}

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
const WORKER_SCRIPT = join(__dirname, 'feed-parse-worker.js');

/**
 * Parsing for a running server: on worker threads when the compiled worker script exists (the build puts
 * feed-parse-worker.js beside this module in dist/). Run from TypeScript sources (jest) there is no such
 * script, since a thread cannot load .ts: parsing falls back to this thread, where the deadline cannot be
 * enforced. The e2e suites run the built server, so they exercise the threads.
 */
export function feedParsing(options: FeedParsingOptions): FeedParsing {
  const script = options.script ?? WORKER_SCRIPT;
  if (!existsSync(script)) return inThreadFeedParsing();
  return threadedFeedParsing(script, options.threads ?? FEED_PARSE_THREADS, options.timeoutMs);
}

/** Parses in the calling thread: for tests and tools that own their event loop. */
export function inThreadFeedParsing(): FeedParsing {
  return {
    where: 'in-thread',
    parse: async (input) => parseFeedContents(input),
    close: async () => {},
  };
}

function threadedFeedParsing(script: string, threads: number, timeoutMs: number): FeedParsing {
  const pool = new ThreadPool<FeedParseInput, FeedParseOutput>({
    script,
    size: Math.max(1, threads),
    resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB },
  });
  return {
    where: 'worker-thread',
    async parse(input) {
      try {
        return await pool.run(input, timeoutMs);
      } catch (error) {
        throw fromThread(error, input, timeoutMs);
      }
    },
    close: () => pool.close(),
  };
}

/** A thread's failure as the error the same parse would have thrown in this thread, or a refusal. */
function fromThread(error: unknown, input: FeedParseInput, timeoutMs: number): Error {
  if (error instanceof ThreadTaskFailure) {
    const { code, message } = error.failure;
    return isErrorCode(code) ? new SourceError(code, message) : new Error(message);
  }
  if (error instanceof ThreadTaskError) {
    const reason =
      error.reason === 'timeout' ? `parsing took longer than ${timeoutMs} ms` : `parsing ${error.message}`;
    return new SourceError(ErrorCode.SourceInvalidResponse, `${input.baseUrl}: ${reason}; refused`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function isErrorCode(code: string | null): code is ErrorCode {
  return code !== null && (Object.values(ErrorCode) as string[]).includes(code);
}
