import { join } from 'node:path';
import { type OffThreadParsing, errorFromThread, offThreadParsing } from '../parsing/off-thread-parsing';
import {
  type ChannelStatements,
  type TelegramParseInput,
  type TelegramParseOutput,
  runTelegramParse,
} from './telegram-parse-task';

/**
 * Pages below this many bytes are read in the calling thread: a preview page of 20 messages is tens of kilobytes
 * and costs less than sending it to a thread. Past it (megabytes of nested markup from a hostile mirror, or a
 * page that is not Telegram's) the work runs on a worker thread with the parse deadline, so the event loop that
 * answers /health never holds it.
 */
export const OFF_THREAD_TELEGRAM_BYTES = 256 * 1024;
/** One thread (of 512 MB heap, as Mastodon's): hostile pages are rare, and the feed and page pools hold two each. */
const THREADS = 1;
const THREAD_HEAP_MB = 512;

/** A channel page read, with the statement each of its messages shows. */
export type ReadChannelPage = Extract<TelegramParseOutput, { kind: 'channel' }>;
/** An embed widget read, with the statement of its message when it shows one. */
export type ReadEmbedPage = Extract<TelegramParseOutput, { kind: 'embed' }>;

/** How the Telegram connector reads its pages: the DOM and the statements the messages show. */
export interface TelegramParsing {
  /** where big pages go, for logs and tests */
  readonly where: 'worker-thread' | 'in-thread';
  /** a channel's preview page, with the statements asked for; `what` names the page in a refusal */
  channelPage(bytes: Buffer, statements: ChannelStatements, what: string): Promise<ReadChannelPage>;
  /** a post's embed widget; its statement is of `handle`, or of the channel the widget names when null */
  embedPage(bytes: Buffer, handle: string | null, what: string): Promise<ReadEmbedPage>;
  close(): Promise<void>;
}

export interface TelegramParsingOptions {
  /** a parse still running after this is stopped and the page refused (VERBATIM_PARSE_TIMEOUT_MS) */
  timeoutMs: number;
  /** the worker script; default telegram-parse-worker.js beside this module */
  script?: string;
}

/** Parsing for a running server: big pages on a worker thread when the compiled worker script exists. */
export function telegramParsing(options: TelegramParsingOptions): TelegramParsing {
  const offThread: OffThreadParsing<TelegramParseInput & { what: string }, TelegramParseOutput> =
    offThreadParsing({
      script: options.script ?? join(__dirname, 'telegram-parse-worker.js'),
      threads: THREADS,
      heapMb: THREAD_HEAP_MB,
      timeoutMs: options.timeoutMs,
      inThread: async (input) => runTelegramParse(input),
      subject: (input) => input.what,
      failed: errorFromThread,
    });
  const run = (input: TelegramParseInput, what: string): Promise<TelegramParseOutput> =>
    input.bytes.byteLength < OFF_THREAD_TELEGRAM_BYTES
      ? Promise.resolve(runTelegramParse(input))
      : offThread.parse({ ...input, what });
  return {
    where: offThread.where,
    channelPage: async (bytes, statements, what) =>
      channelOutput(await run({ kind: 'channel', bytes, ...statements }, what)),
    embedPage: async (bytes, handle, what) => embedOutput(await run({ kind: 'embed', bytes, handle }, what)),
    close: () => offThread.close(),
  };
}

/** Everything in the calling thread: tests and tools. */
export function inThreadTelegramParsing(): TelegramParsing {
  return {
    where: 'in-thread',
    channelPage: async (bytes, statements) =>
      channelOutput(runTelegramParse({ kind: 'channel', bytes, ...statements })),
    embedPage: async (bytes, handle) => embedOutput(runTelegramParse({ kind: 'embed', bytes, handle })),
    close: async () => {},
  };
}

// a thread answering another kind than it was asked is a bug
function channelOutput(output: TelegramParseOutput): ReadChannelPage {
  if (output.kind !== 'channel') throw new Error(`a Telegram parse thread answered ${output.kind}`);
  return output;
}

function embedOutput(output: TelegramParseOutput): ReadEmbedPage {
  if (output.kind !== 'embed') throw new Error(`a Telegram parse thread answered ${output.kind}`);
  return output;
}
