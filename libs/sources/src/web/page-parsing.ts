import { join } from 'node:path';
import { ErrorCode, SourceError } from '@app/core';
import { type OffThreadParsing, offThreadParsing } from '../parsing/off-thread-parsing';
import { parsePageContents, type PageParseInput, type PageParseOutput } from './page-parse-task';

/** How the web connector parses a page: on a worker thread with a deadline, or (tests) in this thread. */
export type PageParsing = OffThreadParsing<PageParseInput, PageParseOutput>;

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

/** Page parsing for a running server: on worker threads when the compiled worker script exists. */
export function pageParsing(options: PageParsingOptions): PageParsing {
  return offThreadParsing({
    script: options.script ?? join(__dirname, 'page-parse-worker.js'),
    threads: options.threads ?? PAGE_PARSE_THREADS,
    heapMb: THREAD_HEAP_MB,
    timeoutMs: options.timeoutMs,
    inThread: parseInThread,
    subject: (input) => input.url,
    failed: (failure, input) => unreadable(input.url, failure.message),
  });
}

/** Parses in the calling thread: for tests and tools that own their event loop. */
export function inThreadPageParsing(): PageParsing {
  return { where: 'in-thread', parse: parseInThread, close: async () => {} };
}

async function parseInThread(input: PageParseInput): Promise<PageParseOutput> {
  try {
    return parsePageContents(input);
  } catch (error) {
    // a stack overflow or the like on hostile markup is the page's fault, not a bug to retry
    throw unreadable(input.url, (error as Error).message);
  }
}

function unreadable(url: string, why: string): SourceError {
  return new SourceError(ErrorCode.SourceInvalidResponse, `${url}: the page could not be read: ${why}`);
}
