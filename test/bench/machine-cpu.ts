/**
 * Where a machine's cores went over a span, by process, read from /proc (Linux): a bench that misses its target
 * then shows whether the process measured, PostgreSQL, Redis or the bench itself held them. Elsewhere (no /proc)
 * every reading is null and the bench prints nothing for it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** CPU time so far, in clock ticks: the whole machine's, and each watched group's. */
export interface CpuReading {
  /** every core's ticks, busy or not */
  machineTicks: number;
  idleTicks: number;
  /** null: no such process was found (PostgreSQL in another container, say) */
  groups: Map<string, number | null>;
}

/** A group of processes to watch: by pid, or every process whose command name (`/proc/<pid>/comm`) is `comm`. */
export type ProcessGroup = { name: string; pid: number } | { name: string; comm: string };

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // no /proc, or the process ended between listing and reading
  }
}

/** utime + stime of one process, all its threads, in clock ticks; 0 when it is gone. */
function processTicks(pid: number): number {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return 0;
  // the command name is in parentheses and may hold spaces: the fields counted from after it
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function pidsOf(comm: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => readText(`/proc/${pid}/comm`)?.trim() === comm);
}

/** A reading of the machine and the groups now; null where /proc cannot be read. */
export function readCpu(groups: readonly ProcessGroup[]): CpuReading | null {
  const stat = readText('/proc/stat');
  if (!stat) return null;
  // cpu  user nice system idle iowait irq softirq steal …
  const ticks = stat.split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const reading: CpuReading = {
    machineTicks: ticks.reduce((sum, n) => sum + n, 0),
    idleTicks: ticks[3] + ticks[4],
    groups: new Map(),
  };
  for (const group of groups) {
    const pids = 'pid' in group ? [group.pid] : pidsOf(group.comm);
    const ticks = pids.reduce((sum, pid) => sum + processTicks(pid), 0);
    reading.groups.set(group.name, pids.length > 0 ? ticks : null);
  }
  return reading;
}

/**
 * Cores each group used between two readings (0.5: half of one core over the span), with `idle` for the idle ones.
 * A process that ended in between (a closed database connection) takes its time with it. A group named by
 * command counts every such process on the machine, another project's PostgreSQL too. Null: a group not seen.
 */
export function coreSharesBetween(
  before: CpuReading | null,
  after: CpuReading | null,
): Map<string, number | null> | null {
  if (!before || !after) return null;
  const cores = cpus().length;
  const machine = after.machineTicks - before.machineTicks;
  if (machine <= 0) return null;
  const share = (ticks: number) => (ticks / machine) * cores;
  const shares = new Map<string, number | null>();
  for (const [name, ticks] of after.groups) {
    const was = before.groups.get(name);
    shares.set(
      name,
      ticks === null || was === null || was === undefined ? null : share(Math.max(0, ticks - was)),
    );
  }
  shares.set('idle', share(after.idleTicks - before.idleTicks));
  return shares;
}

/** {@link coreSharesBetween} as "serve 0.65, PostgreSQL 0.70, …, idle 0.20 of 2". */
export function coresBetween(before: CpuReading | null, after: CpuReading | null): string | null {
  const shares = coreSharesBetween(before, after);
  if (!shares) return null;
  const parts = [...shares].map(([name, cores]) =>
    cores === null ? `${name} not seen` : `${name} ${cores.toFixed(2)}`,
  );
  return `${parts.join(', ')} of ${cpus().length}`;
}
