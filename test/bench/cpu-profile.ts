/**
 * A V8 CPU profile of this process over one measured span, when BENCH_CPU_PROFILE names a file: the setup before
 * the span (rendering responses, loading modules) stays out of it, as `--cpu-prof` cannot leave it. Open the file
 * in Chrome's DevTools (Performance) or any .cpuprofile reader.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { log } from './bench-support';

export interface SpanProfile {
  /** stops profiling and writes the profile; a no-op when none was asked for */
  stop(): Promise<void>;
}

export async function profileSpan(what: string): Promise<SpanProfile> {
  const path = process.env.BENCH_CPU_PROFILE;
  if (!path) return { stop: async () => {} };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      writeFileSync(path, JSON.stringify(profile));
      log(`CPU profile of ${what} written to ${path}`);
    },
  };
}
