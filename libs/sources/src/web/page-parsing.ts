import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, SourceError } from '@app/core';
import { ThreadPool, ThreadTaskError, ThreadTaskFailure } from '../parsing/thread-pool';
import { parsePageContents, type PageParseInput, type PageParseOutput } from './page-parse-task';

/** How the web connector parses a page: on a worker thread with a deadline, or (tests) in this thread. */
export interface PageParsing {
  readonly where: 'worker-thread' | 'in-thread';
  parse(input: PageParseInput): Promise<PageParseOutput>;
  close(): Promise<void>;
}

export interface PageParsingOptions {
  /** a parse still running after this is stopped and the page refused (VERBATIM_PARSE_TIMEOUT_MS) */
  timeoutMs: number;
  /** worker threads; default PAGE_PARSE_THREADS */
  threads?: number;
  /** the worker script; default page-parse-worker.js beside this module */
  script?: string;
}

/** Two threads, as for feeds: one hostile page does not hold up the pages behind it. */
export const PAGE_PARSE_THREADS = 2;
/** A page whose DOM needs more heap than this is refused instead of taking the process down. */
const THREAD_HEAP_MB = 768;
const WORKER_SCRIPT = join(__dirname, 'page-parse-worker.js');

/**
 * Parsing for a running server: on the shared ThreadPool (libs/sources/src/parsing) when the compiled worker
 * script exists (the build puts page-parse-worker.js beside this module in dist/), in this thread otherwise:
 * jest runs TypeScript sources, which a thread cannot load, and there the deadline cannot be enforced.
 */
export function pageParsing(options: PageParsingOptions): PageParsing {
  const script = options.script ?? WORKER_SCRIPT;
  if (!existsSync(script)) return inThreadPageParsing();
  const timeoutMs = options.timeoutMs;
  const pool = new ThreadPool<PageParseInput, PageParseOutput>({
    script,
    size: Math.max(1, options.threads ?? PAGE_PARSE_THREADS),
    resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB },
  });
  return {
    where: 'worker-thread',
    async parse(input) {
      try {
        return await pool.run(input, timeoutMs);
      } catch (error) {
        throw fromThread(error, input.url, timeoutMs);
      }
    },
    close: () => pool.close(),
  };
}

/** Parses in the calling thread: for tests and tools that own their event loop. */
export function inThreadPageParsing(): PageParsing {
  return {
    where: 'in-thread',
    parse: async (input) => {
      try {
        return parsePageContents(input);
      } catch (error) {
        // a stack overflow or the like on hostile markup is the page's fault, not a bug to retry
        throw new SourceError(
          ErrorCode.SourceInvalidResponse,
          `${input.url}: the page could not be read: ${(error as Error).message}`,
        );
      }
    },
    close: async () => {},
  };
}

function fromThread(error: unknown, url: string, timeoutMs: number): Error {
  if (error instanceof ThreadTaskFailure)
    return new SourceError(
      ErrorCode.SourceInvalidResponse,
      `${url}: the page could not be read: ${error.failure.message}`,
    );
  if (error instanceof ThreadTaskError) {
    const reason =
      error.reason === 'timeout' ? `parsing took longer than ${timeoutMs} ms` : `parsing ${error.message}`;
    return new SourceError(ErrorCode.SourceInvalidResponse, `${url}: ${reason}; refused`);
  }
  return error instanceof Error ? error : new Error(String(error));
}
