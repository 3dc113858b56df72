/**
 * `npm run bench:scale`: many tracked accounts on a 60 s interval, polled by a real `verbatim serve` process
 * (API and workers, default settings but for the recheck horizon; BENCH_SCALE_CONCURRENCY sets the workers'
 * concurrency) against fake Mastodon instances on 127.0.0.1, on a throwaway database and Redis prefix (removed
 * afterwards).
 *
 *   setup   BENCH_SCALE_ACCOUNTS accounts (default 100,000) over BENCH_SCALE_HOSTS instances (default 4), due
 *           times spread over the first interval; one interval of warm-up, then BENCH_SCALE_SECONDS (default
 *           300) measured; meanwhile a publisher posts so that about 10% of polls find a new post
 *   limit   the no-op BullMQ drain measured in the same run (jobs/s), next to the poll rate the schedule needs
 *           (accounts / 60 s)
 *   ours    p99 poll lateness (start − due) over the measured window, from the process's own histogram
 *           (`verbatim_poll_lateness_seconds`: the p99 reported is the bucket bound it falls under); the
 *           memory of the run's Redis keys over the first and the last interval of the window (the mean of
 *           readings at random gaps of about a quarter second); every published post captured exactly once (one
 *           statement, one version); for reading a miss: polls by outcome (a poll deferred for our own load comes
 *           back later, and late), the cores each process used (from /proc), the dead rows left in `accounts`
 *           (every poll leaves one until VACUUM runs; printed with the autovacuum setting), the Redis key
 *           families whose mean changed most (a queue's jobs, its wait list, its events…), and each interval's
 *           lateness and cores logged as it ends
 * Targets (issue 11): p99 lateness ≤ 2 s; Redis memory at the end within 10% of the start; exactly once.
 * Rechecks are moved out of the window (VERBATIM_RECHECK_MIN_SECONDS = 1 day): this measures polling.
 * The fake instances and the publisher share this process, the archive runs in its own.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { Client } from 'pg';
import { redisOptionsFromUrl } from '@app/queues';
import {
  mastodonHtml,
  railsJson,
  renderStatus,
  type AccountRecord,
  type RenderContext,
  type StatusRecord,
} from '@app/testing/fake-mastodon/mastodon-json';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { freePort, startServe, stopAll, waitForHealth } from '../e2e/support/processes';
import { fmt, log, printTable, type Row } from './bench-support';
import { coresBetween, readCpu, type ProcessGroup } from './machine-cpu';

const ACCOUNTS = Number(process.env.BENCH_SCALE_ACCOUNTS ?? 100_000);
const HOSTS = Number(process.env.BENCH_SCALE_HOSTS ?? 4);
const MEASURED_S = Number(process.env.BENCH_SCALE_SECONDS ?? 300);
const INTERVAL_S = 60;
const FIND_RATE = 0.1;
/** the worker's concurrency; unset, the shipped default (VERBATIM_WORKER_CONCURRENCY's) */
const CONCURRENCY_SETTING = process.env.BENCH_SCALE_CONCURRENCY;
const TICK_MS = 1000;
const LATENESS_TARGET_S = 2;
const REDIS_GROWTH_TARGET = 0.1;
const DRAIN_JOBS = 20_000;
/** the run's Redis memory is read over this long at the start and at the end of the window: a whole interval */
const REDIS_SPAN_MS = Math.min(INTERVAL_S, MEASURED_S / 4) * 1000;
/** the mean gap between two readings; each gap is drawn from half to one and a half of it */
const REDIS_READING_GAP_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Mastodon instance reduced to what a poll reads: an account's statuses, newest first, by min_id / max_id. */
class ScaleInstance implements RenderContext {
  origin = '';
  private server: Server | null = null;
  private readonly statuses = new Map<string, StatusRecord>();
  private readonly byAccount = new Map<string, StatusRecord[]>();
  private readonly accountRecords = new Map<string, AccountRecord>();
  requests = 0;

  account = (id: string): AccountRecord => {
    let record = this.accountRecords.get(id);
    if (!record) {
      record = {
        id,
        username: `mfa${id}`,
        displayName: `Ministry ${id}`,
        note: '<p>Official account.</p>',
        createdAt: '2022-11-03T00:00:00.000Z',
        bot: false,
        website: null,
      };
      this.accountRecords.set(id, record);
    }
    return record;
  };
  status = (id: string): StatusRecord | undefined => this.statuses.get(id);
  statusesOf = (): StatusRecord[] => [];

  publish(accountId: string, id: bigint): string {
    const status: StatusRecord = {
      id: id.toString(),
      accountId,
      createdAt: new Date().toISOString(),
      editedAt: null,
      content: mastodonHtml(`Statement ${id} on the situation in the region, account ${accountId}.`),
      spoilerText: '',
      sensitive: false,
      language: 'en',
      visibility: 'public',
      inReplyToId: null,
      inReplyToAccountId: null,
      reblogOfId: null,
      quoteOfId: null,
      media: [],
      tags: [],
      deleted: false,
    };
    this.statuses.set(status.id, status);
    const list = this.byAccount.get(accountId) ?? [];
    list.unshift(status);
    this.byAccount.set(accountId, list);
    return status.id;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests += 1;
    const url = new URL(req.url ?? '/', this.origin);
    const match = /^\/api\/v1\/accounts\/(\d+)\/statuses$/.exec(url.pathname);
    if (!match) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Record not found"}');
      return;
    }
    const limit = Math.min(40, Number(url.searchParams.get('limit') ?? 20));
    const minId = url.searchParams.get('min_id');
    const maxId = url.searchParams.get('max_id');
    let list = this.byAccount.get(match[1]) ?? [];
    // min_id: the statuses right after it, newest first; max_id: older than it
    if (minId) list = list.filter((s) => BigInt(s.id) > BigInt(minId)).slice(-limit);
    else if (maxId) list = list.filter((s) => BigInt(s.id) < BigInt(maxId)).slice(0, limit);
    else list = list.slice(0, limit);
    const body = railsJson(list.map((s) => renderStatus(s, this)));
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  }
}

/** jobs/s of a worker whose processor does nothing, at the archive's concurrency: the queue's own ceiling. */
async function noopDrain(env: TestEnvironment, concurrency: number): Promise<number> {
  const connection = redisOptionsFromUrl(env.redisUrl);
  const prefix = `${env.queuePrefix}-drain`;
  const queue = new Queue('drain', { connection, prefix });
  await queue.addBulk(
    Array.from({ length: DRAIN_JOBS }, (_, i) => ({
      name: 'noop',
      data: { i },
      opts: { removeOnComplete: true },
    })),
  );
  let done = 0;
  const started = Date.now();
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker('drain', async () => undefined, {
      connection,
      prefix,
      concurrency,
    });
    worker.on('completed', () => {
      if (++done === DRAIN_JOBS) void worker.close().then(resolve);
    });
  });
  await finished;
  const rate = (DRAIN_JOBS / (Date.now() - started)) * 1000;
  await queue.obliterate({ force: true });
  await queue.close();
  return rate;
}

/** Cumulative counts of the lateness histogram by bucket bound, read from the process's /metrics. */
/** What the process's /metrics says of its polls so far: the lateness histogram's buckets and polls by outcome. */
interface PollScrape {
  lateness: Map<number, number>;
  outcomes: Map<string, number>;
}

async function scrapePolls(port: number): Promise<PollScrape> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const lateness = new Map<number, number>();
  const outcomes = new Map<string, number>();
  for (const line of text.split('\n')) {
    const bucket = /^verbatim_poll_lateness_seconds_bucket\{.*le="([^"]+)".*\} (\d+)/.exec(line);
    if (bucket) {
      const bound = bucket[1] === '+Inf' ? Infinity : Number(bucket[1]);
      lateness.set(bound, (lateness.get(bound) ?? 0) + Number(bucket[2]));
    }
    const polls = /^verbatim_polls_total\{.*outcome="([^"]+)".*\} (\d+)/.exec(line);
    if (polls) outcomes.set(polls[1], (outcomes.get(polls[1]) ?? 0) + Number(polls[2]));
  }
  return { lateness, outcomes };
}

/** Polls by outcome between two scrapes, as "unchanged 1,234, captured 56, …" (most first). */
function outcomesBetween(before: PollScrape, after: PollScrape): string {
  return [...after.outcomes]
    .map(([outcome, n]) => [outcome, n - (before.outcomes.get(outcome) ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([outcome, n]) => `${outcome} ${fmt(n)}`)
    .join(', ');
}

/** The bucket bound under which `p` of the polls between two scrapes started. */
function percentileBound(
  before: Map<number, number>,
  after: Map<number, number>,
  p: number,
): { bound: number; polls: number } {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  for (const bound of bounds) {
    if ((after.get(bound) ?? 0) - (before.get(bound) ?? 0) >= p * total) return { bound, polls: total };
  }
  return { bound: Infinity, polls: total };
}

/** BullMQ's keys of a queue that are not one job's: `<queue>:<name>` */
const QUEUE_KEYS = new Set([
  'wait',
  'active',
  'delayed',
  'prioritized',
  'completed',
  'failed',
  'paused',
  'events',
  'meta',
  'id',
  'marker',
  'pc',
  'stalled',
  'stalled-check',
  'limiter',
  'de',
  'metrics',
  'repeat',
  'waiting-children',
]);

/**
 * A key's family, for reading what grew: `<queue>:<name>` for a queue's own keys (`de:<id>` and
 * `metrics:completed` with their kind), `<queue>:job` for a job's, `<queue>:job lock` for its lock.
 */
function keyFamily(key: string, prefix: string): string {
  const [queue = '?', name = '', ...rest] = key.slice(prefix.length + 1).split(':');
  if (QUEUE_KEYS.has(name)) return `${queue}:${name}`;
  return rest.length > 0 ? `${queue}:job ${rest.join(':')}` : `${queue}:job`;
}

/** Bytes Redis uses for the run's keys (MEMORY USAGE of each) by family, so other users of the server do not count. */
async function redisBytes(redis: Redis, prefix: string): Promise<Map<string, number>> {
  const bytes = new Map<string, number>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.memory('USAGE', key);
    const usages = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const family = keyFamily(key, prefix);
      bytes.set(family, (bytes.get(family) ?? 0) + Number(usages[i]?.[1] ?? 0));
    });
  } while (cursor !== '0');
  return bytes;
}

/**
 * The run's Redis bytes at one end of the window: the mean of readings over `REDIS_SPAN_MS`. What Redis holds
 * rises and falls about tenfold with every scheduler tick (the polls that fall due are enqueued at once, then taken),
 * so a few readings a tick apart would all see one moment of that cycle, maybe another one at the other end, and
 * readings at any fixed gap drift through it only as fast as the gap differs from the tick's period (which the
 * tick's own work stretches). Random gaps put them at every moment of it alike: about 240 over a poll interval.
 */
async function redisLevel(redis: Redis, prefix: string): Promise<RedisLevel> {
  const readings: number[] = [];
  const byFamily = new Map<string, number>();
  const first = Date.now();
  // until the span has passed by the clock: slow readings make fewer of them, not a longer span
  while (Date.now() < first + REDIS_SPAN_MS) {
    const reading = await redisBytes(redis, prefix);
    let total = 0;
    for (const [family, bytes] of reading) {
      byFamily.set(family, (byFamily.get(family) ?? 0) + bytes);
      total += bytes;
    }
    readings.push(total);
    await sleep(REDIS_READING_GAP_MS * (0.5 + Math.random()));
  }
  const mean = readings.reduce((sum, r) => sum + r, 0) / readings.length;
  for (const [family, bytes] of byFamily) byFamily.set(family, bytes / readings.length);
  return {
    mean,
    low: Math.min(...readings),
    high: Math.max(...readings),
    readings: readings.length,
    byFamily,
  };
}

interface RedisLevel {
  mean: number;
  low: number;
  high: number;
  readings: number;
  /** mean bytes of each key family over the readings */
  byFamily: Map<string, number>;
}

/** The families whose mean changed most between the two ends, in KiB: where growth of the run's Redis is. */
function familyChanges(before: RedisLevel, after: RedisLevel, shown = 4): string {
  const families = new Set([...before.byFamily.keys(), ...after.byFamily.keys()]);
  return [...families]
    .map((family) => ({ family, was: before.byFamily.get(family) ?? 0, is: after.byFamily.get(family) ?? 0 }))
    .sort((a, b) => Math.abs(b.is - b.was) - Math.abs(a.is - a.was))
    .slice(0, shown)
    .map(({ family, was, is }) => `${family} ${fmt(was / 1024)}→${fmt(is / 1024)}`)
    .join(', ');
}

async function main(): Promise<void> {
  const env = await createTestEnvironment();
  const redis = new Redis(env.redisUrl);
  const db = new Client({ connectionString: env.databaseUrl });
  await db.connect();
  const instances = Array.from({ length: HOSTS }, () => new ScaleInstance());
  const concurrency = env.config(
    CONCURRENCY_SETTING ? { VERBATIM_WORKER_CONCURRENCY: CONCURRENCY_SETTING } : {},
  ).polling.workerConcurrency;
  try {
    log(`no-op drain of ${DRAIN_JOBS} jobs at concurrency ${concurrency}`);
    const drain = await noopDrain(env, concurrency);
    await Promise.all(instances.map((i) => i.start()));

    log(`inserting ${ACCOUNTS} accounts over ${HOSTS} instances`);
    const start = Date.now() + 5_000;
    await db.query(
      `INSERT INTO accounts (platform, handle, external_id, profile_url, source_url, tracking, poll_interval_seconds, next_poll_at)
       SELECT 'mastodon', 'mfa' || i || '@' || split_part(o.origin, '/', 3), i::text, o.origin || '/@mfa' || i, o.origin,
              true, $3::int, to_timestamp(($4::bigint + (i::bigint * $3::int * 1000) / $2::int) / 1000.0)
       FROM generate_series(0, $2::int - 1) AS i
       JOIN unnest($1::text[]) WITH ORDINALITY AS o(origin, n) ON o.n = (i % array_length($1::text[], 1)) + 1`,
      [instances.map((i) => i.origin), ACCOUNTS, INTERVAL_S, start],
    );

    const port = await freePort();
    const proc = startServe(
      'all',
      env.env({
        PORT: String(port),
        VERBATIM_SCHEDULER_TICK_MS: String(TICK_MS),
        VERBATIM_WORKER_CONCURRENCY: String(concurrency),
        VERBATIM_RECHECK_MIN_SECONDS: '86400',
        VERBATIM_RECHECK_MAX_SECONDS: '86400',
        VERBATIM_HTTP_TIMEOUT_MS: '20000',
        VERBATIM_HTTP_CONNECT_TIMEOUT_MS: '5000',
        LOG_LEVEL: 'error',
      }),
      'serve (bench:scale)',
    );
    await waitForHealth(proc, port, 60_000);

    // the publisher: about FIND_RATE of the polls due each second find a new post
    const published = new Map<string, string>();
    let nextId = 115_000_000_000_000_000n;
    let publishing = true;
    const perSecond = (ACCOUNTS / INTERVAL_S) * FIND_RATE;
    const publisher = (async () => {
      let carry = 0;
      while (publishing) {
        carry += perSecond / 10;
        for (; carry >= 1; carry -= 1) {
          const account = Math.floor(Math.random() * ACCOUNTS);
          nextId += 1_000_003n;
          const id = instances[account % HOSTS].publish(String(account), nextId);
          published.set(id, String(account));
        }
        await sleep(100);
      }
    })();

    log(`warm-up: one interval (${INTERVAL_S} s)`);
    await sleep(Math.max(0, start - Date.now()) + INTERVAL_S * 1000);
    const scrapeBefore = await scrapePolls(port);
    const windowStart = Date.now();
    log(`measuring for ${MEASURED_S} s`);
    // each interval's lateness is logged as it ends: a run that fell behind once reads apart from one always late
    const watched: ProcessGroup[] = [
      { name: 'serve', pid: proc.child.pid ?? 0 },
      { name: 'PostgreSQL', comm: 'postgres' },
      { name: 'Redis', comm: 'redis-server' },
      { name: 'this bench (fake instances)', pid: process.pid },
    ];
    const cpuBefore = readCpu(watched);
    let intervalScrape = scrapeBefore;
    let intervalCpu = cpuBefore;
    let intervals = 0;
    const logInterval = async () => {
      const now = await scrapePolls(port);
      const cpuNow = readCpu(watched);
      const p99 = percentileBound(intervalScrape.lateness, now.lateness, 0.99);
      intervals += 1;
      log(
        `interval ${intervals}: ${fmt(p99.polls)} polls, lateness p50 ≤ ${fmt(percentileBound(intervalScrape.lateness, now.lateness, 0.5).bound, 2)} s, ` +
          `p99 ≤ ${fmt(p99.bound, 2)} s; ${outcomesBetween(intervalScrape, now)}; cores: ${coresBetween(intervalCpu, cpuNow) ?? 'not read'}`,
      );
      intervalScrape = now;
      intervalCpu = cpuNow;
    };
    const intervalLogger = setInterval(() => void logInterval().catch(() => {}), INTERVAL_S * 1000);
    const redisBefore = await redisLevel(redis, env.queuePrefix);
    await sleep(Math.max(0, windowStart + MEASURED_S * 1000 - REDIS_SPAN_MS - Date.now()));
    const redisAfter = await redisLevel(redis, env.queuePrefix);
    clearInterval(intervalLogger);
    const scrapeAfter = await scrapePolls(port);
    const cores = coresBetween(cpuBefore, readCpu(watched));
    // every poll leaves a dead row and index entries behind: what VACUUM has not removed slows every read of the table
    const [accountsRows] = (
      await db.query<{ dead: string; autovacuum: string }>(
        `SELECT n_dead_tup::text AS dead, current_setting('autovacuum') AS autovacuum
         FROM pg_stat_user_tables WHERE relname = 'accounts'`,
      )
    ).rows;
    const measuredS = (Date.now() - windowStart) / 1000;
    publishing = false;
    await publisher;

    log(`waiting up to two intervals for the last ${published.size} posts to be captured`);
    const capturedCounts = async () => {
      const { rows } = await db.query<{ external_id: string; versions: string }>(
        `SELECT s.external_id, count(v.*)::text AS versions FROM statements s JOIN versions v ON v.statement_id = s.id
         GROUP BY s.id, s.external_id`,
      );
      return rows;
    };
    let rows = await capturedCounts();
    const deadline = Date.now() + 2 * INTERVAL_S * 1000;
    while (rows.length < published.size && Date.now() < deadline) {
      await sleep(2000);
      rows = await capturedCounts();
    }
    await proc.kill('SIGTERM');

    const seen = new Map<string, number>();
    for (const row of rows)
      seen.set(row.external_id, (seen.get(row.external_id) ?? 0) + Number(row.versions));
    const missing = [...published.keys()].filter((id) => !seen.has(id)).length;
    const twice = [...seen.values()].filter((n) => n > 1).length;
    const strangers = [...seen.keys()].filter((id) => !published.has(id)).length;
    const exactlyOnce = missing === 0 && twice === 0 && strangers === 0;

    const needed = ACCOUNTS / INTERVAL_S;
    const p99 = percentileBound(scrapeBefore.lateness, scrapeAfter.lateness, 0.99);
    const p50 = percentileBound(scrapeBefore.lateness, scrapeAfter.lateness, 0.5);
    const growth = redisBefore.mean === 0 ? 0 : (redisAfter.mean - redisBefore.mean) / redisBefore.mean;
    const kib = (r: RedisLevel) =>
      `${fmt(r.mean / 1024)} KiB (${fmt(r.low / 1024)}–${fmt(r.high / 1024)}, ${r.readings} readings)`;
    const coresRow: Row[] = cores
      ? [{ what: 'cores used in the window', ours: cores, limit: '', ratio: '', target: '', verdict: '' }]
      : [];
    const rowsOut: Row[] = [
      {
        what: `polls needed (${ACCOUNTS} accounts / ${INTERVAL_S} s)`,
        ours: `${fmt(needed)}/s`,
        limit: `${fmt(drain)}/s no-op drain`,
        ratio: fmt(needed / drain, 2),
        target: '',
        verdict: '',
      },
      {
        what: `polls in the window`,
        ours: `${fmt(p99.polls)} (${fmt(p99.polls / measuredS)}/s)`,
        limit: `${fmt(needed * measuredS)} due`,
        ratio: fmt(p99.polls / (needed * measuredS), 2),
        target: '',
        verdict: '',
      },
      {
        what: 'polls by outcome in the window',
        ours: outcomesBetween(scrapeBefore, scrapeAfter),
        limit: '',
        ratio: '',
        target: '',
        verdict: '',
      },
      ...coresRow,
      {
        what: 'dead rows in accounts at the end',
        ours: fmt(Number(accountsRows?.dead ?? 0)),
        limit: `autovacuum ${accountsRows?.autovacuum ?? '?'}`,
        ratio: '',
        target: '',
        verdict: '',
      },
      {
        what: 'poll lateness p50 (start − due)',
        ours: `≤ ${fmt(p50.bound, 2)} s`,
        limit: '',
        ratio: '',
        target: '',
        verdict: '',
      },
      {
        what: 'poll lateness p99 (start − due)',
        ours: `≤ ${fmt(p99.bound, 2)} s`,
        limit: `${LATENESS_TARGET_S} s`,
        ratio: fmt(p99.bound / LATENESS_TARGET_S, 2),
        target: `≤ ${LATENESS_TARGET_S} s`,
        verdict: p99.bound <= LATENESS_TARGET_S ? 'PASS' : 'MISS',
      },
      {
        what: 'Redis: the key families that changed most (KiB, mean)',
        ours: familyChanges(redisBefore, redisAfter),
        limit: '',
        ratio: '',
        target: '',
        verdict: '',
      },
      {
        what: `Redis memory of the run, last vs first ${fmt(REDIS_SPAN_MS / 1000)} s (mean of readings)`,
        ours: kib(redisAfter),
        limit: kib(redisBefore),
        ratio: fmt(1 + growth, 2),
        target: `within ±${REDIS_GROWTH_TARGET * 100}%`,
        verdict: Math.abs(growth) <= REDIS_GROWTH_TARGET ? 'PASS' : 'MISS',
      },
      {
        what: 'published posts captured exactly once',
        ours: `${fmt(published.size - missing)} of ${fmt(published.size)}`,
        limit: `missing ${missing}, twice ${twice}, unknown ${strangers}`,
        ratio: '',
        target: 'all, once',
        verdict: exactlyOnce ? 'PASS' : 'MISS',
      },
    ];
    printTable(`bench:scale — ${ACCOUNTS} accounts, ${HOSTS} hosts, ${fmt(measuredS)} s measured`, rowsOut);
  } finally {
    await stopAll();
    await Promise.all(instances.map((i) => i.close()));
    await db.end();
    redis.disconnect();
    await env.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
