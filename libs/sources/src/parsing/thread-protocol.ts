import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { ownThreadStatPath, threadCpuMs } from './thread-cpu-clock';

/** An error thrown inside a thread task, as data: a SourceError keeps its code and HTTP status. */
export interface ThreadFailure {
  message: string;
  code: string | null;
  httpStatus: number | null;
}

export interface TaskRequest<Input> {
  id: number;
  input: Input;
}

export type TaskReply<Output> =
  { id: number; ok: true; value: Output } | { id: number; ok: false; failure: ThreadFailure };

/**
 * Sent once by a thread whose script has loaded: a task's deadline starts then, not while modules load. It
 * names where the thread's CPU time can be read, which is what the deadline counts (see ThreadPool).
 */
export interface ThreadReady {
  ready: true;
  /** the thread's /proc stat file; null where there is none, and the deadline counts wall time */
  statPath: string | null;
  /** the CPU time the thread has used so far, read by itself as it becomes ready (null where unreadable) */
  cpuMs: number | null;
}

export function isThreadReady(message: unknown): message is ThreadReady {
  return typeof message === 'object' && message !== null && (message as { ready?: unknown }).ready === true;
}

/**
 * The niceness parse threads run at. A burst of hostile pages keeps every parse thread busy; at the process's
 * own priority they took the cores from its event loop (the API and /health) on a two-core machine, which then
 * answered in over a second. Niced, they get what the event loop leaves.
 */
export const PARSE_THREAD_NICENESS = 10;

/**
 * Lowers the calling thread's priority. On Linux a thread's niceness is its own; elsewhere it would lower the
 * whole process, event loop included, so it is left alone there.
 */
function niceThisThread(): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(PARSE_THREAD_NICENESS);
  } catch {
    // not permitted here: the thread runs at the process's priority, as before
  }
}

/** The body of a worker script: answers every request with `task(input)`, or the error it threw. */
export function serveThreadTask<Input, Output>(task: (input: Input) => Output): void {
  const port = parentPort;
  if (!port) throw new Error('serveThreadTask runs only inside a worker thread');
  niceThisThread();
  port.on('message', ({ id, input }: TaskRequest<Input>) => {
    let reply: TaskReply<Output>;
    try {
      reply = { id, ok: true, value: task(input) };
    } catch (error) {
      reply = { id, ok: false, failure: failureOf(error) };
    }
    port.postMessage(reply);
  });
  const statPath = ownThreadStatPath();
  const ready: ThreadReady = {
    ready: true,
    statPath,
    cpuMs: statPath === null ? null : threadCpuMs(statPath),
  };
  port.postMessage(ready);
}

function failureOf(error: unknown): ThreadFailure {
  if (!(error instanceof Error)) return { message: String(error), code: null, httpStatus: null };
  const { code, httpStatus } = error as Error & { code?: unknown; httpStatus?: unknown };
  return {
    message: error.message,
    code: typeof code === 'string' ? code : null,
    httpStatus: typeof httpStatus === 'number' ? httpStatus : null,
  };
}
