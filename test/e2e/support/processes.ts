import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
/**
 * The built CLI: beside this file when it runs compiled (benchmarks, from dist-test/), else in dist/, which the
 * e2e global setup builds before any suite runs.
 */
export const CLI_MAIN = existsSync(resolve(ROOT, 'apps', 'cli', 'src', 'main.js'))
  ? resolve(ROOT, 'apps', 'cli', 'src', 'main.js')
  : resolve(ROOT, 'dist', 'apps', 'cli', 'src', 'main.js');

export type Role = 'all' | 'api' | 'worker';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface VerbatimProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved as they arrived */
  output(): string;
  readonly exited: Promise<Exit>;
  running(): boolean;
  /** Sends `signal` (default SIGKILL: a crash, no shutdown hooks) and waits for the process to be gone. */
  kill(signal?: NodeJS.Signals): Promise<Exit>;
}

/** Every process started here and not yet reaped: stopAll() kills them, whatever a test did. */
const live = new Set<VerbatimProcess>();

/**
 * Starts `node dist/apps/cli/src/main.js <args>` with exactly `env` (plus PATH), never the test's own
 * environment, so a stray DATABASE_URL in the shell cannot reach a real database.
 */
export function startCli(
  args: string[],
  env: Record<string, string>,
  name = args.join(' '),
): VerbatimProcess {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString('utf8'));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let done = false;
  const exited = new Promise<Exit>((resolveExit) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolveExit({ code, signal });
    });
    child.once('error', (error) => {
      done = true;
      output += `\n[spawn error] ${error.message}`;
      resolveExit({ code: null, signal: null });
    });
  });
  const proc: VerbatimProcess = {
    name,
    child,
    output: () => output,
    exited,
    running: () => !done,
    async kill(signal = 'SIGKILL') {
      if (!done) child.kill(signal);
      return exited;
    },
  };
  live.add(proc);
  void exited.then(() => live.delete(proc));
  return proc;
}

/** `verbatim serve --role <role>` on the given environment. */
export function startServe(role: Role, env: Record<string, string>, name = `serve --role ${role}`) {
  return startCli(['serve', '--role', role], env, name);
}

/** Kills (SIGKILL) every process still running and waits for each to exit. Call it in afterEach/afterAll. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((proc) => proc.kill('SIGKILL')));
}

/**
 * Waits for a process to end on its own, or kills it after `timeoutMs` and says so: a process that should
 * fail fast but keeps running is a failure with its output attached.
 */
export async function waitForExit(proc: VerbatimProcess, timeoutMs: number): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolveTimeout) => {
    timer = setTimeout(() => resolveTimeout('timeout'), timeoutMs);
  });
  const result = await Promise.race([proc.exited, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') {
    await proc.kill('SIGKILL');
    throw new Error(`${proc.name} still running after ${timeoutMs} ms; output:\n${proc.output()}`);
  }
  return result;
}

/**
 * A TCP port nothing listens on right now (bind to 0, read it, release it). Used for PORT, because a
 * server told PORT=0 does not say where it ended up, and for "nothing answers here" URLs.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  return port;
}

/**
 * Polls GET http://127.0.0.1:<port>/health until it answers 200 or `timeoutMs` passes; fails early, with
 * the output, if the process exits first.
 */
export async function waitForHealth(
  proc: VerbatimProcess,
  port: number,
  timeoutMs: number,
): Promise<{ status: number; body: unknown }> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    if (!proc.running()) {
      const exit = await proc.exited;
      throw new Error(
        `${proc.name} exited (${exit.code ?? exit.signal}) before /health answered:\n${proc.output()}`,
      );
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
      const body: unknown = await res.json().catch(() => null);
      if (res.status === 200) return { status: res.status, body };
      last = `HTTP ${res.status} ${JSON.stringify(body)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${proc.name}: /health not 200 after ${timeoutMs} ms (${last}); output:\n${proc.output()}`,
      );
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 100));
  }
}
