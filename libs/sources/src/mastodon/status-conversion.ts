import { join } from 'node:path';
import { ErrorCode, SourceError, type StatementContent, mapInSlices } from '@app/core';
import { type OffThreadParsing, offThreadParsing } from '../parsing/off-thread-parsing';
import { convertStatuses, type StatusConversionInput } from './status-conversion-task';

/** How the Mastodon connector turns statuses into statements: on a worker thread, or in this one. */
export type StatusConversion = OffThreadParsing<StatusConversionInput, StatementContent[]>;

/**
 * Statuses whose HTML adds up to less than this are converted in the calling thread, in slices: a normal
 * page of 40 statuses costs less than sending it to a thread. Past it (a hostile instance's megabytes of nested
 * markup) the conversion runs on a worker thread with the parse deadline.
 */
export const OFF_THREAD_STATUS_HTML_CHARS = 256 * 1024;
/** One thread: hostile pages are rare, and the feed and page pools already hold two each. */
const THREADS = 1;
const THREAD_HEAP_MB = 512;

export interface StatusConversionOptions {
  /** a conversion still running after this is stopped and the page refused (VERBATIM_PARSE_TIMEOUT_MS) */
  timeoutMs: number;
  /** the worker script; default status-conversion-worker.js beside this module */
  script?: string;
}

/**
 * Conversion for a running server: statuses past OFF_THREAD_STATUS_HTML_CHARS on a worker thread when the
 * compiled worker script exists, the rest in this thread.
 */
export function statusConversion(options: StatusConversionOptions): StatusConversion {
  const offThread = offThreadParsing({
    script: options.script ?? join(__dirname, 'status-conversion-worker.js'),
    threads: THREADS,
    heapMb: THREAD_HEAP_MB,
    timeoutMs: options.timeoutMs,
    inThread: convertInSlices,
    subject: (input) => `Mastodon ${input.host} statuses`,
    failed: (failure, input) =>
      new SourceError(
        ErrorCode.SourceInvalidResponse,
        `Mastodon ${input.host} statuses: ${failure.message}`.slice(0, 400),
      ),
  });
  return {
    where: offThread.where,
    parse: (input) =>
      statusHtmlChars(input) < OFF_THREAD_STATUS_HTML_CHARS ? convertInSlices(input) : offThread.parse(input),
    close: () => offThread.close(),
  };
}

/** Converts in the calling thread, a slice at a time: tests, tools, and every page below the threshold. */
export function inThreadStatusConversion(): StatusConversion {
  return { where: 'in-thread', parse: convertInSlices, close: async () => {} };
}

function convertInSlices(input: StatusConversionInput): Promise<StatementContent[]> {
  return mapInSlices(
    input.statuses,
    (status) => convertStatuses({ statuses: [status], host: input.host })[0],
  );
}

/** The statuses' HTML in characters, the measure of what converting them costs. */
function statusHtmlChars(input: StatusConversionInput): number {
  let chars = 0;
  for (const status of input.statuses) {
    const shown = status.reblog ?? status;
    chars += shown.content.length + (shown.spoiler_text?.length ?? 0);
  }
  return chars;
}
