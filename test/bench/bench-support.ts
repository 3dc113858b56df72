/** Small helpers for the benchmarks: timing, percentiles, realistic log entries, the results table. */
import { randomBytes, randomUUID } from 'node:crypto';
import { buildLogEntry } from '@app/ledger';

/** Runs `work` and returns its result with the wall time in ms. */
export async function timed<T>(work: () => Promise<T> | T): Promise<{ result: T; ms: number }> {
  const start = process.hrtime.bigint();
  const result = await work();
  return { result, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

/** Operations per second of `count` operations done by `work`. */
export async function rate(count: number, work: () => Promise<unknown> | unknown): Promise<number> {
  const { ms } = await timed(work);
  return (count / ms) * 1000;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function sortedNumbers(values: Iterable<number>): number[] {
  return [...values].sort((a, b) => a - b);
}

/** An entry shaped like the capture writes: one snapshot, a record hash and one response artifact. */
export function realisticEntry(
  origin: string,
  capturedAt = new Date(),
): { entry: Buffer; statementId: string } {
  const statementId = randomUUID();
  const entry = buildLogEntry({
    type: 'snapshot',
    statementId,
    version: 1,
    recordSha256: randomBytes(32).toString('hex'),
    artifacts: [
      {
        role: 'response',
        mediaType: 'application/json; charset=utf-8',
        size: 4000 + Math.floor(Math.random() * 4000),
        sha256: randomBytes(32).toString('hex'),
      },
    ],
    capturedAt: capturedAt.toISOString(),
    origin,
  });
  return { entry: Buffer.from(entry), statementId };
}

export interface Row {
  what: string;
  ours: string;
  limit: string;
  ratio: string;
  target: string;
  verdict: 'PASS' | 'MISS' | '';
}

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';

export function printTable(title: string, rows: readonly Row[]): void {
  const header: Row = {
    what: 'what',
    ours: 'ours',
    limit: 'limit',
    ratio: 'ratio',
    target: 'target',
    verdict: '',
  };
  const all = [header, ...rows];
  const keys: (keyof Row)[] = ['what', 'ours', 'limit', 'ratio', 'target', 'verdict'];
  const widths = keys.map((k) => Math.max(...all.map((r) => r[k].length)));
  const line = (r: Row) =>
    keys
      .map((k, i) => r[k].padEnd(widths[i]))
      .join(' | ')
      .trimEnd();
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));
}

export function log(text: string): void {
  process.stderr.write(`[bench] ${text}\n`);
}
