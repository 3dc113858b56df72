import { spawn } from 'node:child_process';

/** One GET /health: when it was sent, how long the answer took, and its status (0: no answer). */
export interface HealthSample {
  sentAt: number;
  ms: number;
  status: number;
}

export interface HealthProbe {
  /** stops probing and returns every sample, waiting for the ones still in flight */
  stop(): Promise<HealthSample[]>;
}

/** The probe's own process: it asks, times and, once told to stop on stdin, prints its samples as JSON. */
const PROBE_SCRIPT = `
const [port, everyMs] = process.argv.slice(1).map(Number);
const inFlight = [];
const probe = async () => {
  const sentAt = Date.now();
  try {
    const res = await fetch('http://127.0.0.1:' + port + '/health', { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return { sentAt, ms: Date.now() - sentAt, status: res.status };
  } catch {
    return { sentAt, ms: Date.now() - sentAt, status: 0 };
  }
};
const timer = setInterval(() => inFlight.push(probe()), everyMs);
let stopping = false;
// the test process went away without stopping the probe (a failed test): nobody is left to read it
process.stdin.on('end', () => stopping || process.exit(0));
process.stdin.on('data', async () => {
  stopping = true;
  clearInterval(timer);
  process.stdout.write(JSON.stringify(await Promise.all(inFlight)));
  process.exit(0);
});
`;

/**
 * Sends GET /health every `everyMs`, without waiting for the previous answer: a blocked event loop shows as
 * slow answers, not as fewer questions. Each request gives up after 5 s (status 0). The probe runs in a
 * process of its own, so that what the test itself does (serving 10 MB bodies from its fake servers) does
 * not count against the service's answers.
 */
export function startHealthProbe(port: number, everyMs = 100): HealthProbe {
  const child = spawn(process.execPath, ['-e', PROBE_SCRIPT, String(port), String(everyMs)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  // 'close', not 'exit': its stdout is then read to the end
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  // a test that failed before stop() must not keep jest waiting: neither the process nor its pipes hold it
  child.unref();
  for (const pipe of [child.stdin, child.stdout]) (pipe as unknown as { unref(): void }).unref();
  return {
    async stop() {
      child.stdin.end('stop\n');
      await exited;
      return JSON.parse(output || '[]') as HealthSample[];
    },
  };
}

/**
 * The longest time between two questions: the probe's process shares the machine's two cores, so it is
 * checked to have asked often enough for its "every answer within 1 s" to cover the whole window.
 */
export function largestGapMs(samples: HealthSample[]): number {
  let largest = 0;
  for (let i = 1; i < samples.length; i++)
    largest = Math.max(largest, samples[i].sentAt - samples[i - 1].sentAt);
  return largest;
}

/** Samples slower than `maxMs` or not 200, described for a failure message. */
export function unhealthySamples(samples: HealthSample[], maxMs: number): string[] {
  return samples
    .filter((sample) => sample.status !== 200 || sample.ms >= maxMs)
    .map((sample) => `${new Date(sample.sentAt).toISOString()}: HTTP ${sample.status} after ${sample.ms} ms`);
}
