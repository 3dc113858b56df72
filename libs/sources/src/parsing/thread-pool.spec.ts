import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  deadlineLeftMs,
  overdueReason,
  STARVED_WALL_FACTOR,
  ThreadPool,
  ThreadTaskError,
  ThreadTaskFailure,
} from './thread-pool';

// jest runs TypeScript sources, which a worker thread cannot load: the worker here is plain JavaScript that
// speaks the protocol of thread-protocol.ts (serveThreadTask).
const WORKER = `
const { readFileSync, readlinkSync } = require('node:fs');
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, input }) => {
  if (input.spin) for (;;) {}
  // blocked without using CPU, as a parse thread is while the machine's cores are busy elsewhere
  if (input.waitMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, input.waitMs);
  if (input.exit) process.exit(3);
  if (input.deep) {
    let value = 0;
    for (let i = 0; i < input.deep; i++) value = [value];
    parentPort.postMessage({ id, ok: true, value });
    return;
  }
  if (input.fail) {
    parentPort.postMessage({ id, ok: false, failure: { message: input.fail, code: 'source-invalid-response', httpStatus: null } });
    return;
  }
  parentPort.postMessage({ id, ok: true, value: { doubled: input.n * 2 } });
});
// a slow script load (modules to compile) must not count against the first task's deadline
const loaded = Date.now() + 300;
while (Date.now() < loaded) {}
const statPath = process.platform === 'linux' ? '/proc/' + readlinkSync('/proc/thread-self') + '/stat' : null;
const cpuMs = (() => {
  if (!statPath) return null;
  const fields = readFileSync(statPath, 'latin1').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
})();
parentPort.postMessage({ ready: true, statPath, cpuMs });
`;

type Input = { n?: number; spin?: boolean; waitMs?: number; exit?: boolean; fail?: string; deep?: number };

/** The CPU clock of a thread is read from /proc, on Linux only; elsewhere the deadline is wall time. */
const onLinux = process.platform === 'linux' ? it : it.skip;

describe('ThreadPool', () => {
  let dir: string;
  let pool: ThreadPool<Input, { doubled: number }>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'verbatim-pool-'));
    writeFileSync(join(dir, 'worker.js'), WORKER);
  });
  beforeEach(() => {
    pool = new ThreadPool({ script: join(dir, 'worker.js'), size: 2 });
  });
  afterEach(() => pool.close());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs tasks on threads and returns their values', async () => {
    const values = await Promise.all([1, 2, 3, 4, 5].map((n) => pool.run({ n }, 5000)));
    expect(values.map((v) => v.doubled)).toEqual([2, 4, 6, 8, 10]);
  });

  it('carries an error thrown in the task back with its code', async () => {
    const error: unknown = await pool.run({ fail: 'not a feed' }, 5000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThreadTaskFailure);
    expect((error as ThreadTaskFailure).failure).toMatchObject({
      message: 'not a feed',
      code: 'source-invalid-response',
    });
  });

  it('terminates a task past its deadline, keeps this thread responsive, and goes on with new threads', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const started = Date.now();
    const error: unknown = await pool.run({ spin: true }, 300).catch((e: unknown) => e);
    clearInterval(ticker);
    expect(error).toBeInstanceOf(ThreadTaskError);
    expect((error as ThreadTaskError).reason).toBe('timeout');
    expect((error as Error).message).toBe('took longer than 300 ms');
    // 300 ms of CPU, and a loaded machine may take several times that on the clock
    expect(Date.now() - started).toBeLessThan(300 * STARVED_WALL_FACTOR + 1000);
    // the spinning thread never held this one up
    expect(ticks).toBeGreaterThan(10);
    expect(await pool.run({ n: 21 }, 5000)).toEqual({ doubled: 42 });
  });

  it('starts the deadline once the thread has loaded its script', async () => {
    expect(await pool.run({ n: 3 }, 100)).toEqual({ doubled: 6 });
  });

  it('counts the deadline from when a thread takes the task, not while it waits in the queue', async () => {
    const single = new ThreadPool<Input, { doubled: number }>({ script: join(dir, 'worker.js'), size: 1 });
    try {
      const spinning = single.run({ spin: true }, 400).catch((e: unknown) => e);
      // queued behind the spinning task for ~400 ms, longer than its own 300 ms deadline
      const queued = single.run({ n: 1 }, 300);
      expect(await spinning).toBeInstanceOf(ThreadTaskError);
      expect(await queued).toEqual({ doubled: 2 });
    } finally {
      await single.close();
    }
  });

  onLinux(
    'counts the CPU time a thread used: a task kept off the cores is not stopped at its deadline',
    async () => {
      expect(await pool.run({ n: 4, waitMs: 700 }, 200)).toEqual({ doubled: 8 });
    },
  );

  onLinux(
    'stops a starved task once STARVED_WALL_FACTOR times its deadline has passed, as starved',
    async () => {
      const started = Date.now();
      const error: unknown = await pool.run({ n: 1, waitMs: 5000 }, 50).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ThreadTaskError);
      expect((error as ThreadTaskError).reason).toBe('starved');
      expect((error as Error).message).toBe(
        `waited ${50 * STARVED_WALL_FACTOR} ms for a core (this machine is busy)`,
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(50 * STARVED_WALL_FACTOR);
      expect(Date.now() - started).toBeLessThan(5000);
    },
  );

  it('leaves a deadline of CPU time, within a wall-time bound, or of wall time when the CPU time is unknown', () => {
    expect(deadlineLeftMs(200, { cpuUsedMs: 30, wallUsedMs: 200 })).toBe(170);
    expect(deadlineLeftMs(200, { cpuUsedMs: 200, wallUsedMs: 200 })).toBe(0);
    expect(deadlineLeftMs(200, { cpuUsedMs: 30, wallUsedMs: 1990 })).toBe(10);
    expect(deadlineLeftMs(200, { cpuUsedMs: null, wallUsedMs: 150 })).toBe(50);
  });

  it('gives up on a task whose new thread never says it has loaded, as starved', async () => {
    writeFileSync(
      join(dir, 'silent.js'),
      `require('node:worker_threads').parentPort.on('message', () => {});`,
    );
    const silent = new ThreadPool<Input, { doubled: number }>({
      script: join(dir, 'silent.js'),
      size: 1,
      loadWithinMs: 200,
    });
    try {
      const error: unknown = await silent.run({ n: 1 }, 20).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ThreadTaskError);
      expect((error as ThreadTaskError).reason).toBe('starved');
      expect((error as Error).message).toBe('its thread did not load its script in time');
    } finally {
      await silent.close();
    }
  });

  it('calls an overdue task starved only if it had less than half its CPU deadline: more, and its input cost it', () => {
    expect(overdueReason(200, 30)).toBe('starved');
    expect(overdueReason(200, 99)).toBe('starved');
    // a niced thread beside a busy one gets about a tenth of a core: nearly its whole deadline by the wall bound
    expect(overdueReason(200, 190)).toBe('timeout');
    expect(overdueReason(200, 100)).toBe('timeout');
    expect(overdueReason(200, null)).toBe('timeout');
  });

  it('refuses a load allowance that a timer cannot hold', () => {
    expect(() => new ThreadPool({ script: 'x.js', size: 1, loadWithinMs: Number.POSITIVE_INFINITY })).toThrow(
      'loadWithinMs must be a positive number',
    );
  });

  it('reports a thread that dies mid-task, and replaces it', async () => {
    const error: unknown = await pool.run({ exit: true }, 5000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThreadTaskError);
    expect((error as ThreadTaskError).reason).toBe('thread-died');
    expect(await pool.run({ n: 2 }, 5000)).toEqual({ doubled: 4 });
  });

  it('refuses an answer this thread cannot read at once, instead of waiting for the deadline', async () => {
    // a thread's stack (4 MB) copies out nesting that the main thread's (under 1 MB) cannot read back
    const started = Date.now();
    const error: unknown = await pool.run({ deep: 8000 }, 5000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThreadTaskError);
    expect((error as ThreadTaskError).reason).toBe('thread-died');
    expect((error as Error).message).toMatch(/^gave an answer that could not be read \(.*stack/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await pool.run({ n: 5 }, 5000)).toEqual({ doubled: 10 });
  });

  it('refuses work once closed', async () => {
    await pool.close();
    await expect(pool.run({ n: 1 }, 5000)).rejects.toThrow('closed');
  });
});
