import { join } from 'node:path';
import { errorFromThread, offThreadParsing } from '../parsing/off-thread-parsing';
import { type JsonBodyOf, type JsonBodyShape } from './json-body-shapes';
import { type JsonParseInput, runJsonParse } from './json-parse-task';

/**
 * Bodies below this many bytes are read in the calling thread: a poll's page is tens of kilobytes (an X timeline
 * since the last post, a Bluesky feed's first 25 items once its posts are known) and costs less than sending it to
 * a thread. Past it (a full Bluesky page of 100 replies can be ~300 KB; a hostile 10 MB body, which JSON.parse may
 * take a second over) the read runs on a worker thread with the parse deadline, so the event loop that answers
 * /health and the API never holds it.
 */
export const OFF_THREAD_JSON_BYTES = 256 * 1024;
/** One thread, as for Mastodon: big X and Bluesky bodies are rare, and the feed and page pools hold two each. */
const THREADS = 1;
const THREAD_HEAP_MB = 512;

/** How the X and Bluesky connectors read the JSON bodies they are sent. */
export interface JsonParsing {
  /** where big bodies go, for logs and tests */
  readonly where: 'worker-thread' | 'in-thread';
  /**
   * A body as the shape named: SourceInvalidResponse naming `what` when it is not JSON or not of that shape,
   * or (on the thread) when its read takes longer than the deadline or more memory than the thread has.
   */
  read<Shape extends JsonBodyShape>(bytes: Buffer, shape: Shape, what: string): Promise<JsonBodyOf<Shape>>;
  close(): Promise<void>;
}

export interface JsonParsingOptions {
  /** a read still running after this is stopped and the body refused (VERBATIM_PARSE_TIMEOUT_MS) */
  timeoutMs: number;
  /** the worker script; default json-parse-worker.js beside this module */
  script?: string;
}

/** Parsing for a running server: big bodies on a worker thread when the compiled worker script exists. */
export function jsonParsing(options: JsonParsingOptions): JsonParsing {
  const offThread = offThreadParsing<JsonParseInput, unknown>({
    script: options.script ?? join(__dirname, 'json-parse-worker.js'),
    threads: THREADS,
    heapMb: THREAD_HEAP_MB,
    timeoutMs: options.timeoutMs,
    inThread: async (input) => runJsonParse(input),
    subject: (input) => input.what,
    failed: errorFromThread,
  });
  return {
    where: offThread.where,
    async read<Shape extends JsonBodyShape>(bytes: Buffer, shape: Shape, what: string) {
      if (bytes.length < OFF_THREAD_JSON_BYTES) return runJsonParse({ bytes, shape, what });
      // the thread read it with the same table of shapes (json-body-shapes.ts)
      return (await offThread.parse({ bytes, shape, what })) as JsonBodyOf<Shape>;
    },
    close: () => offThread.close(),
  };
}

/** Everything in the calling thread: tests and tools. */
export function inThreadJsonParsing(): JsonParsing {
  return {
    where: 'in-thread',
    read: async (bytes, shape, what) => runJsonParse({ bytes, shape, what }),
    close: async () => {},
  };
}
