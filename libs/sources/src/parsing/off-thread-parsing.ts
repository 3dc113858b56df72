import { existsSync } from 'node:fs';
import { ErrorCode, localOverload, SourceError } from '@app/core';
import { ThreadPool, ThreadTaskError, ThreadTaskFailure } from './thread-pool';
import { type ThreadFailure } from './thread-protocol';

/**
 * The error a task threw in its thread, as the same parse would have thrown it in this thread: a SourceError keeps
 * its code and HTTP status; anything else is a plain Error with its message.
 */
export function errorFromThread({ code, message, httpStatus }: ThreadFailure): Error {
  return code !== null && (Object.values(ErrorCode) as string[]).includes(code)
    ? new SourceError(code as ErrorCode, message, httpStatus)
    : new Error(message);
}

/** How a connector parses a body: on a worker thread with a deadline, or (tests) in this thread. */
export interface OffThreadParsing<Input, Output> {
  /** where the parse runs, for logs and tests */
  readonly where: 'worker-thread' | 'in-thread';
  parse(input: Input): Promise<Output>;
  close(): Promise<void>;
}

export interface OffThreadParsingOptions<Input, Output> {
  /** the compiled worker script; when it does not exist (jest runs TypeScript sources), `inThread` runs instead */
  script: string;
  threads: number;
  /** a parse needing more heap than this is refused instead of taking the process down */
  heapMb: number;
  /** a parse still running after this is stopped and the body refused (VERBATIM_PARSE_TIMEOUT_MS) */
  timeoutMs: number;
  /** the same parse in this thread, where the deadline cannot be enforced */
  inThread: (input: Input) => Promise<Output>;
  /** what a refusal names: the body's URL */
  subject: (input: Input) => string;
  /** an error the task threw inside its thread, as the error the caller sees */
  failed: (failure: ThreadFailure, input: Input) => Error;
}

/**
 * Parsing for a running server: on the ThreadPool when the compiled worker script exists (the build puts it
 * beside its module in dist/), in this thread otherwise. The e2e suites run the built server, so they exercise
 * the threads; a thread past its deadline or out of memory is a refusal naming the body, never a crash.
 */
export function offThreadParsing<Input, Output>(
  options: OffThreadParsingOptions<Input, Output>,
): OffThreadParsing<Input, Output> {
  if (!existsSync(options.script))
    return { where: 'in-thread', parse: options.inThread, close: async () => {} };
  const { timeoutMs } = options;
  const pool = new ThreadPool<Input, Output>({
    script: options.script,
    size: Math.max(1, options.threads),
    resourceLimits: { maxOldGenerationSizeMb: options.heapMb },
  });
  return {
    where: 'worker-thread',
    async parse(input) {
      try {
        return await pool.run(input, timeoutMs);
      } catch (error) {
        if (error instanceof ThreadTaskFailure) throw options.failed(error.failure, input);
        // kept off the cores by our own load: not the body's doing
        if (error instanceof ThreadTaskError && error.reason === 'starved')
          throw localOverload(`${options.subject(input)}: not parsed: ${error.message}; tried again later`);
        if (error instanceof ThreadTaskError) {
          const reason =
            error.reason === 'timeout'
              ? `parsing took longer than ${timeoutMs} ms`
              : `parsing ${error.message}`;
          throw new SourceError(
            ErrorCode.SourceInvalidResponse,
            `${options.subject(input)}: ${reason}; refused`,
          );
        }
        throw error instanceof Error ? error : new Error(String(error));
      }
    },
    close: () => pool.close(),
  };
}
