import { join } from 'node:path';
import { type StatementContent, htmlToPlainText, mapInSlices } from '@app/core';
import { type OffThreadParsing, errorFromThread, offThreadParsing } from '../parsing/off-thread-parsing';
import { parseJson } from '../json-body';
import {
  type MastodonStatus,
  type MastodonStatusEdit,
  parseStatus,
  parseStatusEditList,
  parseStatusList,
} from './mastodon-entities';
import {
  type MastodonParseInput,
  type MastodonParseOutput,
  batchStatuses,
  runMastodonParse,
} from './mastodon-parse-task';
import { statusToContent } from './mastodon-status';

/**
 * Bodies and statuses' HTML below this many bytes or characters are read in the calling thread (in slices): a
 * normal page of 40 statuses costs less than sending it to a thread. Past it (10,000 statuses in one answer, or
 * megabytes of nested markup from a hostile instance) the work runs on a worker thread with the parse deadline,
 * so the event loop that answers /health never holds it.
 */
export const OFF_THREAD_MASTODON_BYTES = 256 * 1024;
/** One thread: hostile pages are rare, and the feed and page pools already hold two each. */
const THREADS = 1;
const THREAD_HEAP_MB = 512;

/** How the Mastodon connector reads pages and turns statuses into statements. */
export interface MastodonParsing {
  /** where big inputs go, for logs and tests */
  readonly where: 'worker-thread' | 'in-thread';
  /** a page of statuses from its body; SourceInvalidResponse when it is not JSON of the documented shape */
  readPage(bytes: Buffer, what: string): Promise<MastodonStatus[]>;
  /**
   * the batch route's answer from its body: its statuses, or null for JSON that is not a list (some other route
   * answering); SourceInvalidResponse when it is not JSON or a status is not of the documented shape
   */
  readBatch(bytes: Buffer, what: string): Promise<MastodonStatus[] | null>;
  /** one status from its body; SourceInvalidResponse when it is not JSON of the documented shape */
  readStatus(bytes: Buffer, what: string): Promise<MastodonStatus>;
  /** an edit history from its body; SourceInvalidResponse when it is not a list of StatusEdits */
  readHistory(bytes: Buffer, what: string): Promise<MastodonStatusEdit[]>;
  /** statuses to the statements they show */
  convert(statuses: MastodonStatus[], host: string): Promise<StatementContent[]>;
  /** HTML to text, one each (an edit history's versions); `what` names them in a refusal */
  texts(htmls: string[], what: string): Promise<string[]>;
  close(): Promise<void>;
}

export interface MastodonParsingOptions {
  /** a parse still running after this is stopped and the page refused (VERBATIM_PARSE_TIMEOUT_MS) */
  timeoutMs: number;
  /** the worker script; default mastodon-parse-worker.js beside this module */
  script?: string;
}

/** Parsing for a running server: big inputs on a worker thread when the compiled worker script exists. */
export function mastodonParsing(options: MastodonParsingOptions): MastodonParsing {
  const offThread: OffThreadParsing<MastodonParseInput, MastodonParseOutput> = offThreadParsing({
    script: options.script ?? join(__dirname, 'mastodon-parse-worker.js'),
    threads: THREADS,
    heapMb: THREAD_HEAP_MB,
    timeoutMs: options.timeoutMs,
    inThread: async (input) => runMastodonParse(input),
    subject: (input) => (input.kind === 'convert' ? `Mastodon ${input.host} statuses` : input.what),
    failed: errorFromThread,
  });
  const inThread = inThreadMastodonParsing();
  /** A task's output from the thread, of the kind asked for. */
  const onThread = async <K extends MastodonParseInput['kind']>(
    input: Extract<MastodonParseInput, { kind: K }>,
  ): Promise<Extract<MastodonParseOutput, { kind: K }>> => {
    const output = await offThread.parse(input);
    if (output.kind !== input.kind) throw new Error(`a Mastodon parse thread answered ${output.kind}`);
    return output as Extract<MastodonParseOutput, { kind: K }>;
  };
  return {
    where: offThread.where,
    async readPage(bytes, what) {
      if (bytes.length < OFF_THREAD_MASTODON_BYTES) return inThread.readPage(bytes, what);
      return (await onThread({ kind: 'read-page', bytes, what })).statuses;
    },
    async readBatch(bytes, what) {
      if (bytes.length < OFF_THREAD_MASTODON_BYTES) return inThread.readBatch(bytes, what);
      return (await onThread({ kind: 'read-batch', bytes, what })).statuses;
    },
    async readStatus(bytes, what) {
      if (bytes.length < OFF_THREAD_MASTODON_BYTES) return inThread.readStatus(bytes, what);
      return (await onThread({ kind: 'read-status', bytes, what })).status;
    },
    async readHistory(bytes, what) {
      if (bytes.length < OFF_THREAD_MASTODON_BYTES) return inThread.readHistory(bytes, what);
      return (await onThread({ kind: 'read-history', bytes, what })).edits;
    },
    async convert(statuses, host) {
      if (htmlChars(statuses) < OFF_THREAD_MASTODON_BYTES) return inThread.convert(statuses, host);
      return (await onThread({ kind: 'convert', statuses, host })).contents;
    },
    async texts(htmls, what) {
      if (totalChars(htmls) < OFF_THREAD_MASTODON_BYTES) return inThread.texts(htmls, what);
      return (await onThread({ kind: 'texts', htmls, what })).texts;
    },
    close: () => offThread.close(),
  };
}

/** Everything in the calling thread: tests, tools, and every input below the threshold. */
export function inThreadMastodonParsing(): MastodonParsing {
  return {
    where: 'in-thread',
    readPage: async (bytes, what) => parseStatusList(parseJson(bytes, what), what),
    readBatch: async (bytes, what) => batchStatuses(bytes, what),
    readStatus: async (bytes, what) => parseStatus(parseJson(bytes, what), what),
    readHistory: async (bytes, what) => parseStatusEditList(parseJson(bytes, what), what),
    convert: (statuses, host) => mapInSlices(statuses, (status) => statusToContent(status, host)),
    texts: (htmls) => mapInSlices(htmls, htmlToPlainText),
    close: async () => {},
  };
}

/** The statuses' HTML in characters, the measure of what converting them costs. */
function htmlChars(statuses: MastodonStatus[]): number {
  return totalChars(
    statuses.flatMap((status) => {
      const shown = status.reblog ?? status;
      return [shown.content, shown.spoiler_text];
    }),
  );
}

function totalChars(texts: string[]): number {
  let chars = 0;
  for (const text of texts) chars += text.length;
  return chars;
}
