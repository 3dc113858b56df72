import { performance } from 'node:perf_hooks';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { threadCpuMs } from './thread-cpu-clock';
import { isThreadReady, type TaskReply, type TaskRequest, type ThreadFailure } from './thread-protocol';

/**
 * How many times its deadline in wall time a task may run while its thread has not yet used the deadline's
 * worth of CPU. Past it the task is stopped anyway: a poll does not wait on a starved thread for ever.
 */
export const STARVED_WALL_FACTOR = 10;

/**
 * A task stopped at the wall bound was starved (our load, not its input) only if it had used less than this share
 * of its CPU deadline. A niced thread beside one busy thread gets about a tenth of a core (weights 110 and 1024),
 * so an expensive parse on a loaded machine reaches nearly all of its deadline by the wall bound: that one is
 * charged as a timeout, or a hostile body would be retried for free whenever it had made the machine busy.
 */
export const STARVED_CPU_SHARE = 0.5;

/** The shortest wait before a deadline is looked at again (the CPU clock ticks every 10 ms). */
const RECHECK_MIN_MS = 20;

/** A new thread that has not loaded its script within this is given up on (its task is `starved`). */
const DEFAULT_LOAD_WITHIN_MS = 30_000;

/** The longest a task with this deadline can take on the clock, its new thread's loading included. */
export function taskWallBoundMs(timeoutMs: number): number {
  return DEFAULT_LOAD_WITHIN_MS + timeoutMs * STARVED_WALL_FACTOR;
}

export interface ThreadPoolOptions {
  /** the compiled worker script (a .js file that calls `serveThreadTask`) */
  script: string;
  /** threads at most; each starts on first use and is kept */
  size: number;
  /** a thread over these limits dies instead of the process (ERR_WORKER_OUT_OF_MEMORY) */
  resourceLimits?: ResourceLimits;
  /** how long a new thread may take to load its script before its task is given up (30 s) */
  loadWithinMs?: number;
}

/**
 * Why a task did not return: it used its deadline's worth of CPU (`timeout`), it could not get to run for
 * STARVED_WALL_FACTOR times the deadline (`starved`: the machine's load, not the input), or its thread died (out of
 * memory, crashed) or answered what this thread cannot read (and is ended).
 */
export class ThreadTaskError extends Error {
  constructor(
    readonly reason: 'timeout' | 'starved' | 'thread-died',
    message: string,
  ) {
    super(message);
    this.name = 'ThreadTaskError';
  }
}

/** An error thrown inside the task, carried back by value (its class does not cross threads). */
export class ThreadTaskFailure extends Error {
  constructor(readonly failure: ThreadFailure) {
    super(failure.message);
    this.name = 'ThreadTaskFailure';
  }
}

interface Job {
  input: unknown;
  timeoutMs: number;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  /** resolves when the thread has loaded its script (it says so with a ThreadReady message) */
  ready: Promise<void>;
  /** where the thread's CPU time is read; null until it is ready, or where there is none */
  statPath: string | null;
  /** the CPU time the thread had used when it said it was ready, by its own reading */
  readyCpuMs: number | null;
  isReady: boolean;
}

/**
 * A few worker threads running one CPU-heavy task on untrusted input each, so the event loop of the API and
 * the worker processes stays free. A task has a deadline counted from when a ready thread takes it (time
 * queued, and a new thread loading its script, do not count): past it, the thread is terminated (a
 * synchronous parser cannot be interrupted any other way) and replaced on the next task.
 *
 * The deadline counts the CPU time the thread used, where it can be read (Linux): parse threads run niced, so
 * on a busy machine a small, benign body can wait for a core longer than the deadline, and its source would be
 * refused for our load. A hostile body costs CPU, and is stopped once it has had the deadline's worth of it
 * (or, starved, after STARVED_WALL_FACTOR times the deadline).
 */
export class ThreadPool<Input, Output> {
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closed = false;

  constructor(private readonly options: ThreadPoolOptions) {
    const { loadWithinMs } = options;
    if (loadWithinMs !== undefined && !(loadWithinMs > 0 && loadWithinMs <= 2 ** 31 - 1))
      throw new Error(`loadWithinMs must be a positive number of ms up to 2^31 - 1, not ${loadWithinMs}`);
  }

  run(input: Input, timeoutMs: number): Promise<Output> {
    if (this.closed) return Promise.reject(new Error('the thread pool is closed'));
    return new Promise<Output>((resolve, reject) => {
      this.queue.push({ input, timeoutMs, resolve: (value) => resolve(value as Output), reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the thread pool is closed'));
    await Promise.all(
      [...this.slots].map((slot) => {
        slot.job?.reject(new Error('the thread pool is closed'));
        return slot.worker.terminate();
      }),
    );
    this.slots.clear();
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.idleSlot();
      if (!slot) return;
      this.start(slot, this.queue.shift()!);
    }
  }

  private idleSlot(): Slot | undefined {
    for (const slot of this.slots) if (slot.job === null) return slot;
    if (this.slots.size >= this.options.size) return undefined;
    const worker = new Worker(this.options.script, { resourceLimits: this.options.resourceLimits });
    // an idle thread must not keep the process alive
    worker.unref();
    const slot: Slot = {
      worker,
      job: null,
      ready: Promise.resolve(),
      statPath: null,
      readyCpuMs: null,
      isReady: false,
    };
    slot.ready = new Promise<void>((resolve) => {
      const onReady = (message: unknown) => {
        if (!isThreadReady(message)) return;
        worker.off('message', onReady);
        slot.statPath = message.statPath;
        slot.readyCpuMs = message.cpuMs;
        slot.isReady = true;
        resolve();
      };
      worker.on('message', onReady);
    });
    this.slots.add(slot);
    return slot;
  }

  private start(slot: Slot, job: Job): void {
    slot.job = job;
    const id = this.nextId++;
    const { worker } = slot;
    worker.ref();
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let backstop: NodeJS.Timeout | undefined;
    const finish = (outcome: () => void, keepThread: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(backstop);
      worker.off('message', onMessage);
      worker.off('messageerror', onMessageError);
      worker.off('error', onError);
      worker.off('exit', onExit);
      outcome();
      if (keepThread) {
        slot.job = null;
        worker.unref();
      } else {
        this.slots.delete(slot);
        void worker.terminate();
      }
      if (!this.closed) this.dispatch();
    };
    const onMessage = (reply: TaskReply<Output>) => {
      if (reply.id !== id) return;
      if (reply.ok) finish(() => job.resolve(reply.value), true);
      else finish(() => job.reject(new ThreadTaskFailure(reply.failure)), true);
    };
    // an answer this thread cannot read (nested past its stack, where the parse thread's is deeper) would leave the
    // task waiting for its deadline, then be charged to our load and tried again for ever
    const onMessageError = (error: Error) =>
      finish(
        () =>
          job.reject(
            new ThreadTaskError('thread-died', `gave an answer that could not be read (${error.message})`),
          ),
        false,
      );
    const onError = (error: Error) =>
      finish(() => job.reject(new ThreadTaskError('thread-died', threadDeath(error))), false);
    const onExit = (code: number) =>
      finish(() => job.reject(new ThreadTaskError('thread-died', `the thread exited (code ${code})`)), false);
    const stop = (reason: 'timeout' | 'starved', message: string) =>
      finish(() => job.reject(new ThreadTaskError(reason, message)), false);
    const armDeadline = (cpuAtStart: number | null) => {
      const { statPath } = slot;
      const wallStart = performance.now();
      const check = () => {
        if (settled) return;
        const cpuNow = cpuAtStart === null ? null : threadCpuMs(statPath!);
        const cpuUsedMs = cpuNow === null ? null : cpuNow - cpuAtStart!;
        const left = deadlineLeftMs(job.timeoutMs, { cpuUsedMs, wallUsedMs: performance.now() - wallStart });
        if (left > 0) timer = setTimeout(check, Math.max(left, RECHECK_MIN_MS));
        else if (overdueReason(job.timeoutMs, cpuUsedMs) === 'starved')
          stop(
            'starved',
            `waited ${job.timeoutMs * STARVED_WALL_FACTOR} ms for a core (this machine is busy)`,
          );
        else stop('timeout', `took longer than ${job.timeoutMs} ms`);
      };
      timer = setTimeout(check, job.timeoutMs);
    };
    const cpuOf = (statPath: string | null) => (statPath === null ? null : threadCpuMs(statPath));
    if (slot.isReady) {
      // an idle thread: the task starts when it is posted below
      armDeadline(cpuOf(slot.statPath));
    } else {
      // a new thread takes the task as soon as it has loaded, before its word reaches this thread: its own
      // reading at that moment is where the task's CPU time starts
      void slot.ready.then(() => {
        clearTimeout(backstop);
        if (!settled) armDeadline(slot.readyCpuMs ?? cpuOf(slot.statPath));
      });
      backstop = setTimeout(
        () => stop('starved', 'its thread did not load its script in time'),
        this.options.loadWithinMs ?? DEFAULT_LOAD_WITHIN_MS,
      );
    }
    worker.on('message', onMessage);
    worker.on('messageerror', onMessageError);
    worker.on('error', onError);
    worker.on('exit', onExit);
    const request: TaskRequest<unknown> = { id, input: job.input };
    worker.postMessage(request);
  }
}

/**
 * What is left of a task's deadline: of its CPU time when the thread's is known (null: unreadable, and wall time
 * counts instead), and never more than what is left of STARVED_WALL_FACTOR times it in wall time.
 */
export function deadlineLeftMs(
  timeoutMs: number,
  used: { cpuUsedMs: number | null; wallUsedMs: number },
): number {
  const wallLeft = timeoutMs * STARVED_WALL_FACTOR - used.wallUsedMs;
  const cpuLeft = timeoutMs - (used.cpuUsedMs ?? used.wallUsedMs);
  return Math.min(cpuLeft, wallLeft);
}

/**
 * Why a task past its deadline is stopped: `starved` when its thread's CPU time is known and below
 * STARVED_CPU_SHARE of the deadline (it was kept off the cores), else `timeout` (its input cost that much).
 */
export function overdueReason(timeoutMs: number, cpuUsedMs: number | null): 'timeout' | 'starved' {
  return cpuUsedMs !== null && cpuUsedMs < timeoutMs * STARVED_CPU_SHARE ? 'starved' : 'timeout';
}

function threadDeath(error: Error): string {
  const code = (error as Error & { code?: string }).code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return 'ran out of memory';
  return `the thread failed: ${error.message}`;
}
