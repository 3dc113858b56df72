import { readFileSync, readlinkSync } from 'node:fs';

/**
 * The length of a clock tick in /proc's CPU times. Linux reports them in USER_HZ, which is 100 on every
 * architecture Node runs on (it is part of the kernel's ABI, unlike the kernel's own HZ).
 */
const MS_PER_TICK = 10;

/** The number, in proc(5)'s count from 1, of the first field `threadStatFields` returns. */
export const FIRST_FIELD = 3;

/**
 * Where the calling thread's CPU time can be read from another thread: its /proc stat file, or null where
 * there is none (not Linux, /proc not mounted). Called inside a worker thread, for the thread pool to read.
 */
export function ownThreadStatPath(): string | null {
  if (process.platform !== 'linux') return null;
  try {
    // "/proc/thread-self" links to "<pid>/task/<tid>"
    return `/proc/${readlinkSync('/proc/thread-self')}/stat`;
  } catch {
    return null;
  }
}

/**
 * The CPU time, user and system, a thread has used so far, from its /proc stat file; null when the file cannot
 * be read (the thread has exited). Resolution: one clock tick (10 ms).
 */
export function threadCpuMs(statPath: string): number | null {
  const fields = threadStatFields(statPath);
  if (!fields) return null;
  // utime and stime are fields 14 and 15
  const utime = Number(fields[14 - FIRST_FIELD]);
  const stime = Number(fields[15 - FIRST_FIELD]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return (utime + stime) * MS_PER_TICK;
}

/**
 * The fields of a /proc stat file from the third (the state) on, or null when it cannot be read. The second,
 * the command name, is in parentheses and may hold spaces, so the split starts after it.
 */
export function threadStatFields(statPath: string): string[] | null {
  let stat: string;
  try {
    stat = readFileSync(statPath, 'latin1');
  } catch {
    return null;
  }
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}
