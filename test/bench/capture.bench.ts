/**
 * `npm run bench:capture`: end-to-end capture against the no-op BullMQ drain of the same run, on a
 * throwaway database and Redis prefix (removed afterwards, with the signing key).
 *
 *   limit (a) the no-op drain: N poll jobs of one poll each pre-added with addBulk, a Worker at the worker's
 *             concurrency whose processor does nothing; jobs/s from the worker's start to the last completion
 *   ours  (b) the same N polls, one per tracked account, in the jobs the scheduler makes of them (up to
 *             POLLS_PER_JOB polls a job) and run as the worker runs them, each answered with ONE Mastodon post (the
 *             connector's real parse of Rails-shaped JSON, a few-KB 'response' artifact) and handled by the
 *             worker's real PollAccountUseCase (claim, storeCaptures with the log origin, capture run, all in
 *             one transaction; then the integration request), while a log worker runs the real sequencer;
 *             the clock stops when the last version is in a signed checkpoint
 *         (c) as (b), with each poll answering a page of 20 posts: posts/s, against the limit (e) divided
 *             by the rows the capture writes per post (counted in the database afterwards)
 *         (d) quiet polls: the same number of poll jobs, each source answering "nothing new" (the common case
 *             of a tracker): claim, schedule and capture run through the writer's group commit
 *         (f) failed polls: as (d), each source failing as a server down fails (HTTP 503): claim, retry time and
 *             failed capture run, through the writer's group commit (no target: shown for what a failing host costs)
 *   limit (e) UNNEST inserts: 1,000-row `INSERT … SELECT FROM unnest(…)` statements, each its own commit,
 *             into a scratch table of a capture-sized row; rows/s
 * Only the source is replaced (a connector that hands back the prepared poll result, no HTTP).
 * Target: /work/shared/reference/performance.md, end-to-end capture ≥ 0.4× the no-op drain.
 */
import { CaptureWriter, QuotationRecorder } from '@app/capture';
import { ErrorCode, SourceError } from '@app/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { type DataSource } from 'typeorm';
import { type VerbatimConfig } from '@app/config';
import { integrationRound, loadLogKey, runIntegrationJob, type LogKey } from '@app/log';
import { MetricsService } from '@app/observability';
import { createDataSource } from '@app/persistence';
import {
  askAgainAfterEachJob,
  bullOptions,
  JobName,
  QueueName,
  redisOptionsFromUrl,
  WORKER_LOCKS,
  type JobOf,
} from '@app/queues';
import {
  ConnectorRegistry,
  statusToContent,
  type Connector,
  type FetchedPost,
  type PollResult,
  type ResolvedAccount,
} from '@app/sources';
import { parseStatusList } from '@app/sources/mastodon/mastodon-entities';
import {
  mastodonHtml,
  railsJson,
  renderStatus,
  type AccountRecord,
  type Json,
  type RenderContext,
  type StatusRecord,
} from '@app/testing/fake-mastodon/mastodon-json';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { PollAccountUseCase, type PollOutcome } from '@app/worker/poll/poll-account.use-case';
import { PollJobRunner } from '@app/worker/poll/poll-job-runner';
import { pollJobs } from '@app/worker/scheduler/poll-jobs';
import { fmt, log, printTable, type Row } from './bench-support';
import { profileSpan } from './cpu-profile';
import { coreSharesBetween, readCpu, type ProcessGroup } from './machine-cpu';

const ORIGIN = 'bench.test/verbatim';
const HOST = 'diplo.example';
const SINGLE_POLLS = 10_000;
const PAGE_POLLS = 1_000;
const PAGE_SIZE = 20;
const QUIET_POLLS = 10_000;
const TARGET_RATIO = 0.4;
/** (c): posts/s ≥ this × the UNNEST insert rate ÷ the rows written per post */
const PAGE_TARGET_RATIO = 0.5;
const QUIET_TARGET_RATIO = 0.5;
/**
 * the accounts' due time, an hour before the run (a whole minute): every job claims its account at this time, as a
 * scheduler tick would, and runs its polls at once, as it would for polls already due
 */
const DUE = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000);

/** Words of official statements in the languages the archive sees most, for texts that look the part. */
const PHRASES = [
  'The Ministry of Foreign Affairs strongly condemns today’s attack on civilian infrastructure.',
  'We call on all parties to respect international humanitarian law and protect civilians.',
  'Le ministre s’est entretenu avec son homologue sur la situation sécuritaire dans la région.',
  'La France réaffirme son soutien à la souveraineté et à l’intégrité territoriale de l’Ukraine.',
  'Die Bundesregierung verurteilt den Angriff aufs Schärfste und fordert eine sofortige Waffenruhe.',
  'Außenministerin trifft heute ihre Amtskollegen zu Gesprächen über humanitäre Hilfe.',
  'Міністр закордонних справ провів телефонну розмову з колегою щодо подальшої підтримки.',
  'Україна вдячна партнерам за рішучу підтримку та нові пакети допомоги.',
  'El Gobierno expresa sus condolencias a las familias de las víctimas y al pueblo hermano.',
  'Joint statement following the meeting of foreign ministers on maritime security.',
  'Il ministro ha ribadito l’impegno dell’Italia per una pace giusta e duratura.',
  'Our embassy is closely following the situation and is in contact with local authorities.',
  'Polska stanowczo potępia ten atak i wzywa do natychmiastowego zaprzestania działań.',
  'Statement by the Spokesperson on the latest developments in the region.',
];

function statementText(seed: number): string {
  const count = 1 + (seed % 3);
  const parts = Array.from({ length: count }, (_, i) => PHRASES[(seed * 7 + i * 5) % PHRASES.length]);
  return `${parts.join(' ')} #${seed % 97 === 0 ? 'breaking' : 'diplomacy'} (${seed})`;
}

/** Mastodon accounts and statuses rendered exactly as the fake server renders them, without the server. */
class Timeline implements RenderContext {
  readonly origin = `https://${HOST}`;
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly statuses = new Map<string, StatusRecord>();
  private nextId = 113_000_000_000_000_000n;

  account = (id: string): AccountRecord => this.accounts.get(id)!;
  status = (id: string): StatusRecord | undefined => this.statuses.get(id);
  // replies and the account's post count are not what this bench is about: keep rendering O(1)
  statusesOf = (): StatusRecord[] => [];

  addAccount(externalId: string, username: string): void {
    this.accounts.set(externalId, {
      id: externalId,
      username,
      displayName: `Ministry of Foreign Affairs ${externalId}`,
      note: '<p>Official account. Retweets are not endorsements.</p>',
      createdAt: '2022-11-03T00:00:00.000Z',
      bot: false,
      website: 'mfa.gov.example',
    });
  }

  /** One poll's response: `count` new statuses of the account, as the API returns them (newest first). */
  page(accountId: string, count: number, seed: number): Buffer {
    const rendered: Json[] = [];
    for (let i = 0; i < count; i++) {
      this.nextId += 1_000_003n;
      const status: StatusRecord = {
        id: this.nextId.toString(),
        accountId,
        createdAt: new Date(DUE.getTime() - (seed * PAGE_SIZE + i) * 60_000).toISOString(),
        editedAt: null,
        content: mastodonHtml(statementText(seed * PAGE_SIZE + i)),
        spoilerText: '',
        sensitive: false,
        language: ['en', 'fr', 'de', 'uk', 'es', 'it', 'pl'][(seed + i) % 7],
        visibility: 'public',
        inReplyToId: null,
        inReplyToAccountId: null,
        reblogOfId: null,
        quoteOfId: null,
        media: (seed + i) % 4 === 0 ? [{ id: `${this.nextId}1`, type: 'image', description: null }] : [],
        tags: ['diplomacy'],
        deleted: false,
      };
      this.statuses.set(status.id, status);
      rendered.unshift(renderStatus(status, this));
    }
    return railsJson(rendered);
  }
}

/** What the Mastodon connector makes of a response: parse, one FetchedPost per status, the body as artifact. */
function pollResultOf(body: Buffer): PollResult<unknown> {
  const statuses = parseStatusList(JSON.parse(body.toString('utf8')), 'bench page');
  const artifact = { role: 'response' as const, mediaType: 'application/json', bytes: body };
  const posts: FetchedPost[] = statuses.map((s) => ({
    content: statusToContent(s, HOST),
    artifacts: [artifact],
    evidenceLevel: 'captured',
  }));
  return { kind: 'posts', httpStatus: 200, posts, cursor: { sinceId: statuses[0].id } };
}

/** `polls` tracked accounts due at DUE, each source answering that nothing changed since its cursor. */
async function prepareQuiet(db: DataSource, prefix: string, polls: number): Promise<Prepared> {
  const rows: { id: string; external_id: string }[] = await db.query(
    `INSERT INTO accounts (platform, handle, external_id, display_name, profile_url, source_url, tracking,
                           poll_interval_seconds, next_poll_at, cursor)
     SELECT 'mastodon', $1 || i || '@' || $2, $1 || i, 'Consulate ' || i, 'https://' || $2 || '/@' || $1 || i,
            'https://' || $2, true, 300, $3, jsonb_build_object('sinceId', (113000000000000000 + i)::text)
     FROM generate_series(1, $4::int) AS i
     RETURNING id, external_id`,
    [prefix, HOST, DUE, polls],
  );
  const results = new Map<string, PollResult<unknown>>();
  rows.forEach((row, i) => {
    // what the connector answers for an empty page: the same cursor, HTTP 200
    const cursor = { sinceId: (113_000_000_000_000_000n + BigInt(i + 1)).toString() };
    results.set(row.external_id, { kind: 'unchanged', httpStatus: 200, cursor });
  });
  const jobs = rows.map((row) => ({ accountId: row.id, dueAt: DUE.toISOString() }));
  jobs.sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
  return { jobs, results, posts: 0, responseBytes: 0 };
}

/** `polls` tracked accounts due at DUE, each source failing as an instance that is down (HTTP 503). */
async function prepareFailing(db: DataSource, prefix: string, polls: number): Promise<Prepared> {
  const quiet = await prepareQuiet(db, prefix, polls);
  const down = new SourceError(ErrorCode.SourceUnavailable, `${HOST} answered 503 Service Unavailable`, 503);
  for (const id of quiet.results.keys()) quiet.results.set(id, down);
  return quiet;
}

/** Stands in for the platform: hands each account the poll result prepared for it. */
function benchConnector(results: Map<string, PollResult<unknown> | SourceError>): Connector {
  const refuse = (): never => {
    throw new Error('not used by the benchmark');
  };
  return {
    platform: 'mastodon',
    describes: 'a prepared poll result',
    canTrack: () => false,
    canCapture: () => false,
    resolve: refuse,
    readCursor: (stored) => stored,
    capture: refuse,
    fetchMany: refuse,
    poll: (account: ResolvedAccount) => {
      const result = results.get(account.externalId);
      if (!result) throw new Error(`no poll result for ${account.externalId}`);
      return result instanceof SourceError ? Promise.reject(result) : Promise.resolve(result);
    },
  };
}

interface Prepared {
  jobs: JobOf<'poll-account'>[];
  /** what each account's source answers: a poll result, or the error its poll fails with */
  results: Map<string, PollResult<unknown> | SourceError>;
  posts: number;
  responseBytes: number;
}

/** `polls` tracked accounts due at DUE, each with the poll result of `postsPerPoll` new posts. */
async function prepare(
  db: DataSource,
  timeline: Timeline,
  prefix: string,
  polls: number,
  postsPerPoll: number,
): Promise<Prepared> {
  const rows: { id: string; external_id: string }[] = await db.query(
    `INSERT INTO accounts (platform, handle, external_id, display_name, profile_url, source_url, tracking,
                           poll_interval_seconds, next_poll_at)
     SELECT 'mastodon', $1 || i || '@' || $2, $1 || i, 'Ministry ' || i, 'https://' || $2 || '/@' || $1 || i,
            'https://' || $2, true, 300, $3
     FROM generate_series(1, $4::int) AS i
     RETURNING id, external_id`,
    [prefix, HOST, DUE, polls],
  );
  const results = new Map<string, PollResult<unknown>>();
  let posts = 0;
  let responseBytes = 0;
  rows.forEach((row, i) => {
    timeline.addAccount(row.external_id, row.external_id);
    const body = timeline.page(row.external_id, postsPerPoll, i);
    const result = pollResultOf(body);
    results.set(row.external_id, result);
    posts += postsPerPoll;
    responseBytes += body.length;
  });
  // a scheduler tick enqueues accounts in due order, which is not the order they were created in
  const jobs = rows.map((row) => ({ accountId: row.id, dueAt: DUE.toISOString() }));
  jobs.sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
  return { jobs, results, posts, responseBytes };
}

/** Resolves with the time of the `count`-th completion (failures reject). */
function completions(worker: Worker, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let done = 0;
    worker.on('completed', () => {
      if (++done === count) resolve(Date.now());
    });
    worker.on('failed', (job, error) => reject(new Error(`job ${job?.id} failed: ${error.message}`)));
  });
}

/** (a) The limit: the same jobs through a worker that does nothing. */
async function noOpDrain(env: TestEnvironment, jobs: JobOf<'poll-account'>[], concurrency: number) {
  const connection = redisOptionsFromUrl(env.redisUrl);
  const name = `${QueueName.Poll}-noop`;
  const queue = new Queue(name, { connection, prefix: env.queuePrefix });
  try {
    await addAll(queue, jobs);
    const started = Date.now();
    const worker = new Worker(name, () => Promise.resolve(), {
      connection,
      prefix: env.queuePrefix,
      concurrency,
      removeOnComplete: { count: 0 },
    });
    try {
      const finished = await completions(worker, jobs.length);
      return (jobs.length / (finished - started)) * 1000;
    } finally {
      await worker.close();
    }
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

async function addAll(queue: Queue, jobs: JobOf<'poll-account'>[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += 1000) {
    await queue.addBulk(
      jobs
        .slice(i, i + 1000)
        .map((data) => ({ name: JobName.PollAccount, data, opts: { removeOnFail: 100 } })),
    );
  }
}

/** (e) The limit for pages: rows/s of 1,000-row UNNEST inserts, each statement its own commit. */
async function unnestRate(db: DataSource): Promise<number> {
  const ROWS = 1000;
  const STATEMENTS = 100;
  await db.query(
    `CREATE TABLE bench_unnest (id bigint PRIMARY KEY, owner uuid NOT NULL, label text NOT NULL, at timestamptz NOT NULL)`,
  );
  try {
    const owner = '00000000-0000-4000-8000-000000000000';
    const label = 'x'.repeat(64);
    const started = Date.now();
    for (let s = 0; s < STATEMENTS; s++) {
      const ids = Array.from({ length: ROWS }, (_, i) => s * ROWS + i);
      await db.query(
        `INSERT INTO bench_unnest SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::timestamptz[])`,
        [ids, ids.map(() => owner), ids.map(() => label), ids.map(() => DUE)],
      );
    }
    return ((ROWS * STATEMENTS) / (Date.now() - started)) * 1000;
  } finally {
    await db.query(`DROP TABLE bench_unnest`);
  }
}

/**
 * Rows the capture wrote per post for the accounts whose external id starts with `prefix`: statements,
 * versions, their artifact links, artifacts, events, media items, log entries waiting (one per version), capture
 * runs, and the accounts' own rows (moved to their next due time).
 */
async function rowsPerPost(db: DataSource, prefix: string, posts: number): Promise<number> {
  const [row]: { total: string }[] = await db.query(
    `WITH acc AS (SELECT id FROM accounts WHERE external_id LIKE $1 || '%'),
          st AS (SELECT id FROM statements WHERE account_id IN (SELECT id FROM acc))
     SELECT (SELECT count(*) FROM acc)
          + (SELECT count(*) FROM st)
          + 2 * (SELECT count(*) FROM versions WHERE statement_id IN (SELECT id FROM st))
          + (SELECT count(*) FROM version_artifacts WHERE statement_id IN (SELECT id FROM st))
          + (SELECT count(DISTINCT sha256) FROM version_artifacts WHERE statement_id IN (SELECT id FROM st))
          + (SELECT count(*) FROM events WHERE statement_id IN (SELECT id FROM st))
          + (SELECT count(*) FROM media_files WHERE statement_id IN (SELECT id FROM st))
          + (SELECT count(*) FROM capture_runs WHERE account_id IN (SELECT id FROM acc)) AS total`,
    [prefix],
  );
  return Number(row.total) / posts;
}

/** Busy and total CPU time of the whole machine so far, in ms (every core). */
function machineCpu(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.irq + times.idle;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

interface CaptureRun {
  /** from the poll worker's start to the last poll job's completion */
  storedMs: number;
  /** from the poll worker's start to the signed checkpoint covering the last version */
  loggedMs: number;
  outcomes: Record<string, number>;
  /** over the polls: the machine's busy share, and this process's (the worker) share of the machine */
  machineBusy: number;
  nodeShare: number;
  /** cores PostgreSQL's and Redis's processes used over the polls (null: not read) */
  serverCores: Map<string, number | null> | null;
}

/** The servers whose CPU a run reports beside its own: where the rest of a capture's cost goes. */
const SERVERS: ProcessGroup[] = [
  { name: 'PostgreSQL', comm: 'postgres' },
  { name: 'Redis', comm: 'redis-server' },
];

/** (b)/(c) The worker's poll path and its sequencer, both running, over pre-added poll jobs. */
async function capturePath(
  env: TestEnvironment,
  config: VerbatimConfig,
  db: DataSource,
  key: LogKey,
  prepared: Prepared,
): Promise<CaptureRun> {
  const connection = redisOptionsFromUrl(env.redisUrl);
  const { checkpointIntervalMs: intervalMs, batchSize } = config.log;
  // the queues as the worker has them (job defaults, event streams)
  const shipped = bullOptions(config);
  const pollQueue = new Queue(QueueName.Poll, shipped);
  const logQueue = new Queue(QueueName.Log, shipped);
  const outboxQueue = new Queue(QueueName.Outbox, shipped);
  const mediaQueue = new Queue(QueueName.Media, shipped);
  const metrics = new MetricsService();
  const captureQueue = new Queue(QueueName.Capture, shipped);
  const registry = new ConnectorRegistry([benchConnector(prepared.results)]);
  const useCase = new PollAccountUseCase(
    db,
    registry,
    new CaptureWriter(db, config, metrics, logQueue, outboxQueue, mediaQueue),
    metrics,
    new QuotationRecorder(db, config, registry, logQueue, captureQueue, outboxQueue),
  );
  const [{ before }]: { before: string }[] = await db.query(
    `SELECT coalesce(max(size), 0) AS before FROM log_checkpoints`,
  );
  const workers: Worker[] = [];
  try {
    // the jobs the scheduler makes of these polls, all due: POLLS_PER_JOB a job, to run at once
    const due = prepared.jobs.map((poll) => ({ id: poll.accountId, dueAt: new Date(poll.dueAt) }));
    const jobs = pollJobs(due, new Date(), Number.MAX_SAFE_INTEGER);
    for (let i = 0; i < jobs.length; i += 1000)
      await pollQueue.addBulk(jobs.slice(i, i + 1000).map(({ name, data, opts }) => ({ name, data, opts })));
    const runner = new PollJobRunner((poll) => useCase.execute(poll), config.polling.workerConcurrency);
    // the sequencer, as the worker's IntegrateLogProcessor runs it
    const sequencer = new Worker(
      QueueName.Log,
      async (job, token) =>
        job.name === JobName.IntegrateLog
          ? (await runIntegrationJob(job, token, { db, key, queue: logQueue, batchSize, intervalMs }))
              .integrated
          : 0,
      { connection, prefix: env.queuePrefix, concurrency: 1, removeOnComplete: { count: 0 } },
    );
    askAgainAfterEachJob(
      sequencer,
      integrationRound({
        db,
        queue: logQueue,
        intervalMs,
        onError: (error) => log(`asking again: ${error.message}`),
      }),
    );
    workers.push(sequencer);
    const outcomes: Record<string, number> = {};
    const cpuBefore = machineCpu();
    const serversBefore = readCpu(SERVERS);
    const profile = await profileSpan(`${jobs.length} poll jobs`);
    const nodeBefore = process.cpuUsage();
    const started = Date.now();
    const pollWorker = new Worker<JobOf<'poll-accounts'>, PollOutcome[]>(
      QueueName.Poll,
      async (job) => {
        const ended = await runner.run(job.name, job.data);
        for (const outcome of ended) outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        return ended;
      },
      {
        ...WORKER_LOCKS,
        connection,
        prefix: env.queuePrefix,
        concurrency: config.polling.workerConcurrency,
        removeOnComplete: { count: 0 },
      },
    );
    workers.push(pollWorker);
    const stored = await completions(pollWorker, jobs.length);
    await profile.stop();
    const cpuAfter = machineCpu();
    const serverCores = coreSharesBetween(serversBefore, readCpu(SERVERS));
    const node = process.cpuUsage(nodeBefore);
    const cores = cpus().length;

    const expected = Number(before) + prepared.posts;
    const deadline = Date.now() + 60_000;
    // quiet polls write nothing to the log: stored is done
    let loggedAt: number | undefined = prepared.posts === 0 ? stored : undefined;
    while (loggedAt === undefined) {
      const [row]: { at: Date }[] = await db.query(
        `SELECT created_at AS at FROM log_checkpoints WHERE size >= $1 ORDER BY size LIMIT 1`,
        [expected],
      );
      if (row) loggedAt = row.at.getTime();
      else if (Date.now() > deadline) throw new Error(`the log did not reach ${expected} entries in 60 s`);
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return {
      storedMs: stored - started,
      loggedMs: Math.max(loggedAt, stored) - started,
      outcomes,
      machineBusy: (cpuAfter.busy - cpuBefore.busy) / (cpuAfter.total - cpuBefore.total),
      nodeShare: (node.user + node.system) / 1000 / ((stored - started) * cores),
      serverCores,
    };
  } finally {
    for (const worker of workers) await worker.close();
    for (const queue of [pollQueue, logQueue, outboxQueue, mediaQueue, captureQueue]) {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  }
}

/**
 * Statistics for the accounts just added, and only for them. The archive's tables are still empty: statistics
 * saying so would make each connection's cached foreign-key checks scan `artifacts` and `versions` whole as
 * they fill (50 checks: 3 ms become 240 ms at 30,000 artifacts), where a deployment's autovacuum analyzes them
 * again as they grow. This machine's PostgreSQL runs without autovacuum.
 */
async function analyzeAccounts(db: DataSource): Promise<void> {
  await db.query('ANALYZE accounts');
}

/** `npm run bench:capture -- quiet`: only (d) between the two no-op drains, for a quick look. */
async function quietOnly(env: TestEnvironment, config: VerbatimConfig, db: DataSource, key: LogKey) {
  const concurrency = config.polling.workerConcurrency;
  const quiet = await prepareQuiet(db, 'consulate', QUIET_POLLS);
  await analyzeAccounts(db);
  await noOpDrain(env, quiet.jobs.slice(0, 2000), concurrency);
  const drain = await noOpDrain(env, quiet.jobs, concurrency);
  const idle = await capturePath(env, config, db, key, quiet);
  const drainAfter = await noOpDrain(env, quiet.jobs, concurrency);
  if (idle.outcomes.unchanged !== QUIET_POLLS)
    throw new Error(`(d): outcomes ${JSON.stringify(idle.outcomes)}, expected every poll unchanged`);
  const limit = Math.max(drain, drainAfter);
  const quietPerSecond = (QUIET_POLLS / idle.storedMs) * 1000;
  printTable(
    `Quiet polls only (machine busy ${fmt(idle.machineBusy * 100)}%, this Node process ` +
      `${fmt(idle.nodeShare * 100)}% of all cores: ${fmt(cpuPerPoll(idle, QUIET_POLLS))} µs` +
      `${serverCpuPerPoll(idle, QUIET_POLLS)} of CPU per poll)`,
    [
      {
        what: `(d) quiet polls, concurrency ${concurrency}`,
        ours: `${fmt(quietPerSecond)} polls/s`,
        limit: `${fmt(limit)} jobs/s no-op (${fmt(drain)} / ${fmt(drainAfter)})`,
        ratio: `${fmt(quietPerSecond / limit, 2)}×`,
        target: `≥ ${QUIET_TARGET_RATIO}× no-op drain`,
        verdict: quietPerSecond >= QUIET_TARGET_RATIO * limit ? 'PASS' : 'MISS',
      },
    ],
  );
}

/** This process's CPU time per poll over a run, in µs (the worker's share of the cost, whatever the machine's pace). */
function cpuPerPoll(run: CaptureRun, polls: number): number {
  return (run.nodeShare * run.storedMs * cpus().length * 1000) / polls;
}

/** ", PostgreSQL 900 µs, Redis 60 µs": the servers' CPU per poll over the run (every process of theirs counts). */
function serverCpuPerPoll(run: CaptureRun, polls: number): string {
  if (!run.serverCores) return '';
  const parts = [...run.serverCores]
    .filter(([name, cores]) => name !== 'idle' && cores !== null)
    .map(([name, cores]) => `${name} ${fmt(((cores ?? 0) * run.storedMs * 1000) / polls)} µs`);
  return parts.map((part) => `, ${part}`).join('');
}

/** `npm run bench:capture -- one`: only (b) between the two no-op drains, for a quick look. */
async function oneOnly(env: TestEnvironment, config: VerbatimConfig, db: DataSource, key: LogKey) {
  const concurrency = config.polling.workerConcurrency;
  const single = await prepare(db, new Timeline(), 'mfa', SINGLE_POLLS, 1);
  await analyzeAccounts(db);
  await noOpDrain(env, single.jobs.slice(0, 2000), concurrency);
  const drain = await noOpDrain(env, single.jobs, concurrency);
  const one = await capturePath(env, config, db, key, single);
  const drainAfter = await noOpDrain(env, single.jobs, concurrency);
  if (one.outcomes.captured !== SINGLE_POLLS)
    throw new Error(`(b): outcomes ${JSON.stringify(one.outcomes)}, expected every poll captured`);
  const limit = Math.max(drain, drainAfter);
  const perSecond = (SINGLE_POLLS / one.loggedMs) * 1000;
  printTable(
    `One post per poll only (machine busy ${fmt(one.machineBusy * 100)}%, this Node process ` +
      `${fmt(one.nodeShare * 100)}% of all cores: ${fmt(cpuPerPoll(one, SINGLE_POLLS))} µs` +
      `${serverCpuPerPoll(one, SINGLE_POLLS)} of CPU per poll)`,
    [
      {
        what: `(b) capture, 1 post/poll: stored (+${fmt(one.loggedMs - one.storedMs)} ms to its checkpoint)`,
        ours: `${fmt((SINGLE_POLLS / one.storedMs) * 1000)} stored/s, ${fmt(perSecond)} in a checkpoint/s`,
        limit: `${fmt(limit)} jobs/s no-op (${fmt(drain)} / ${fmt(drainAfter)})`,
        ratio: `${fmt(perSecond / limit, 2)}×`,
        target: `≥ ${TARGET_RATIO}× no-op drain`,
        verdict: perSecond >= TARGET_RATIO * limit ? 'PASS' : 'MISS',
      },
    ],
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  const keyDir = mkdtempSync(join(tmpdir(), 'verbatim-bench-'));
  let env: TestEnvironment | undefined;
  let db: DataSource | undefined;
  try {
    env = await createTestEnvironment();
    // the worker's concurrency as configured (VERBATIM_WORKER_CONCURRENCY), also for the no-op drain
    const concurrencySetting = process.env.VERBATIM_WORKER_CONCURRENCY;
    const config = env.config({
      VERBATIM_DATA_DIR: keyDir,
      VERBATIM_LOG_ORIGIN: ORIGIN,
      ...(concurrencySetting ? { VERBATIM_WORKER_CONCURRENCY: concurrencySetting } : {}),
    });
    const key = loadLogKey({ origin: ORIGIN, keyFile: null, dataDir: keyDir });
    const concurrency = config.polling.workerConcurrency;
    // the pool a worker process has (its default size): group commit shares a few connections among the polls
    db = createDataSource(env.databaseUrl);
    await db.initialize();

    if (process.argv.includes('quiet')) return await quietOnly(env, config, db, key);
    if (process.argv.includes('one')) return await oneOnly(env, config, db, key);

    log(`preparing ${SINGLE_POLLS.toLocaleString()} accounts with one new post each…`);
    const timeline = new Timeline();
    const single = await prepare(db, timeline, 'mfa', SINGLE_POLLS, 1);
    log(`preparing ${PAGE_POLLS.toLocaleString()} accounts with a page of ${PAGE_SIZE} new posts each…`);
    const paged = await prepare(db, timeline, 'embassy', PAGE_POLLS, PAGE_SIZE);
    log(`preparing ${QUIET_POLLS.toLocaleString()} accounts whose source has nothing new…`);
    const quiet = await prepareQuiet(db, 'consulate', QUIET_POLLS);
    log(`preparing ${QUIET_POLLS.toLocaleString()} accounts whose source is down…`);
    const failing = await prepareFailing(db, 'legation', QUIET_POLLS);
    await analyzeAccounts(db);

    log('warming up BullMQ with a short no-op drain…');
    await noOpDrain(env, single.jobs.slice(0, 2000), concurrency);
    log(`(a) no-op drain of ${SINGLE_POLLS.toLocaleString()} poll jobs, concurrency ${concurrency}…`);
    const drain = await noOpDrain(env, single.jobs, concurrency);
    log(`(b) capturing ${SINGLE_POLLS.toLocaleString()} polls of one post…`);
    const one = await capturePath(env, config, db, key, single);
    log(`(c) capturing ${PAGE_POLLS.toLocaleString()} polls of ${PAGE_SIZE} posts…`);
    const page = await capturePath(env, config, db, key, paged);
    log(`(d) ${QUIET_POLLS.toLocaleString()} quiet polls…`);
    const idle = await capturePath(env, config, db, key, quiet);
    log(`(f) ${QUIET_POLLS.toLocaleString()} failed polls…`);
    const down = await capturePath(env, config, db, key, failing);
    log(`(a') no-op drain again, to see the limit drift…`);
    const drainAfter = await noOpDrain(env, single.jobs, concurrency);
    log('(e) UNNEST inserts of 1,000 rows…');
    const unnest = await unnestRate(db);
    const pageRows = await rowsPerPost(db, 'embassy', paged.posts);
    const pageLimit = unnest / pageRows;
    // the stricter of the two: a drain slowed by something else in the run must not flatter the ratio
    const limit = Math.max(drain, drainAfter);
    const limitText = `${fmt(limit)} jobs/s no-op (${fmt(drain)} / ${fmt(drainAfter)})`;

    for (const [what, run] of [
      ['(b)', one],
      ['(c)', page],
    ] as const) {
      if (run.outcomes.captured !== (what === '(b)' ? SINGLE_POLLS : PAGE_POLLS))
        throw new Error(`${what}: outcomes ${JSON.stringify(run.outcomes)}, expected every poll captured`);
    }
    if (idle.outcomes.unchanged !== QUIET_POLLS)
      throw new Error(`(d): outcomes ${JSON.stringify(idle.outcomes)}, expected every poll unchanged`);
    const [{ quietRuns }]: { quietRuns: string }[] = await db.query(
      `SELECT coalesce(sum(r.polls), 0) AS "quietRuns" FROM capture_runs r JOIN accounts a ON a.id = r.account_id
       WHERE a.external_id LIKE 'consulate%' AND r.outcome = 'unchanged'`,
    );
    if (Number(quietRuns) !== QUIET_POLLS)
      throw new Error(`(d): capture runs count ${quietRuns} quiet polls, expected ${QUIET_POLLS}`);
    if (down.outcomes.failed !== QUIET_POLLS)
      throw new Error(`(f): outcomes ${JSON.stringify(down.outcomes)}, expected every poll failed`);
    const [{ failedRuns }]: { failedRuns: string }[] = await db.query(
      `SELECT coalesce(sum(r.polls), 0) AS "failedRuns" FROM capture_runs r JOIN accounts a ON a.id = r.account_id
       WHERE a.external_id LIKE 'legation%' AND r.outcome = 'failed' AND a.consecutive_failures = 1`,
    );
    if (Number(failedRuns) !== QUIET_POLLS)
      throw new Error(`(f): capture runs count ${failedRuns} failed polls, expected ${QUIET_POLLS}`);
    const [{ entries }]: { entries: string }[] = await db.query(
      `SELECT count(*) AS entries FROM log_entries`,
    );
    const expectedEntries = single.posts + paged.posts;
    if (Number(entries) !== expectedEntries)
      throw new Error(`${entries} log entries, expected ${expectedEntries}`);

    const capturesPerSecond = (SINGLE_POLLS / one.loggedMs) * 1000;
    const storedPerSecond = (SINGLE_POLLS / one.storedMs) * 1000;
    const postsPerSecond = (paged.posts / page.loggedMs) * 1000;
    const pagePollsPerSecond = (PAGE_POLLS / page.loggedMs) * 1000;
    const quietPerSecond = (QUIET_POLLS / idle.storedMs) * 1000;
    const failedPerSecond = (QUIET_POLLS / down.storedMs) * 1000;
    const rows: Row[] = [
      {
        what: `(a) no-op BullMQ drain, concurrency ${concurrency} (before / after)`,
        ours: '',
        limit: limitText,
        ratio: '',
        target: '',
        verdict: '',
      },
      {
        what: `(b) capture, 1 post/poll (~${fmt(single.responseBytes / SINGLE_POLLS / 1024, 1)} KB response): stored`,
        ours: `${fmt(storedPerSecond)} captures/s`,
        limit: `${fmt(limit)} jobs/s`,
        ratio: `${fmt(storedPerSecond / limit, 2)}×`,
        target: '',
        verdict: '',
      },
      {
        what: `(b) capture, 1 post/poll: stored, hashed, in a signed checkpoint`,
        ours: `${fmt(capturesPerSecond)} captures/s`,
        limit: `${fmt(limit)} jobs/s`,
        ratio: `${fmt(capturesPerSecond / limit, 2)}×`,
        target: `≥ ${TARGET_RATIO}× no-op drain`,
        verdict: capturesPerSecond >= TARGET_RATIO * limit ? 'PASS' : 'MISS',
      },
      {
        what: `(c) capture, ${PAGE_SIZE} posts/poll (~${fmt(paged.responseBytes / PAGE_POLLS / 1024)} KB response): in a checkpoint`,
        ours: `${fmt(postsPerSecond)} posts/s (${fmt(pagePollsPerSecond)} polls/s)`,
        limit: `${fmt(pageLimit)} posts/s = ${fmt(unnest)} UNNEST rows/s ÷ ${fmt(pageRows, 1)} rows/post`,
        ratio: `${fmt(postsPerSecond / pageLimit, 2)}× (${fmt(postsPerSecond / limit, 2)}× no-op)`,
        target: `≥ ${PAGE_TARGET_RATIO}× UNNEST ÷ rows`,
        verdict: postsPerSecond >= PAGE_TARGET_RATIO * pageLimit ? 'PASS' : 'MISS',
      },
      {
        what: `(d) quiet polls (source: nothing new): claimed, scheduled, run counted`,
        ours: `${fmt(quietPerSecond)} polls/s`,
        limit: `${fmt(limit)} jobs/s`,
        ratio: `${fmt(quietPerSecond / limit, 2)}×`,
        target: `≥ ${QUIET_TARGET_RATIO}× no-op drain`,
        verdict: quietPerSecond >= QUIET_TARGET_RATIO * limit ? 'PASS' : 'MISS',
      },
      {
        what: `(f) failed polls (source: 503): claimed, retry time, failed run counted`,
        ours: `${fmt(failedPerSecond)} polls/s`,
        limit: `${fmt(limit)} jobs/s`,
        ratio: `${fmt(failedPerSecond / limit, 2)}×`,
        target: '',
        verdict: '',
      },
    ];
    printTable(
      `Verbatim capture benchmark (${fmt((Date.now() - started) / 1000)} s, ${new Date().toISOString()}; ` +
        `checkpoint interval ${config.log.checkpointIntervalMs} ms, last checkpoint after the last poll: ` +
        `(b) +${fmt(one.loggedMs - one.storedMs)} ms, (c) +${fmt(page.loggedMs - page.storedMs)} ms; ` +
        `CPU during the polls: machine busy (b) ${fmt(one.machineBusy * 100)}% (c) ${fmt(page.machineBusy * 100)}% ` +
        `(d) ${fmt(idle.machineBusy * 100)}%, of which this Node process (b) ${fmt(one.nodeShare * 100)}% ` +
        `(c) ${fmt(page.nodeShare * 100)}% (d) ${fmt(idle.nodeShare * 100)}% of all cores)`,
      rows,
    );
  } finally {
    await db?.destroy().catch(() => undefined);
    await env?.destroy().catch((error: Error) => log(`cleanup: ${error.message}`));
    rmSync(keyDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
