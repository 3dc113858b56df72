import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, Header, Inject, Logger, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Queue } from 'bullmq';
import type Redis from 'ioredis';
import { type Response } from 'express';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { deferredPolls } from '@app/persistence';
import { QueueName } from '@app/queues';
import { DatabaseProbe, METRICS_READ_TIMEOUT_MS } from './database-probe';
import { MetricsService } from './metrics.service';

type Check = { status: 'up' } | { status: 'down'; error: string };

const logger = new Logger('Health');

/** What `read` answers, or a rejection when it takes longer than `timeoutMs` (the caller is not held up). */
async function within<T>(read: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      read(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * /health is public: a failed check says what kind of failure it was (an error code such as ECONNREFUSED,
 * or a timeout) and the server log has the message, which can name internal addresses.
 */
async function check(name: string, probe: () => Promise<unknown>, timeoutMs = 2000): Promise<Check> {
  try {
    await within(probe, timeoutMs);
    return { status: 'up' };
  } catch (error) {
    logger.warn(`${name} check failed: ${(error as Error).message}`);
    const code = (error as { code?: unknown }).code;
    return { status: 'down', error: typeof code === 'string' ? code : 'unreachable or no answer' };
  }
}

/** What `read` answers for /metrics, or null when it failed or took longer than `timeoutMs` (logged). */
async function readForMetrics<T>(
  name: string,
  read: () => Promise<T>,
  timeoutMs = METRICS_READ_TIMEOUT_MS,
): Promise<T | null> {
  try {
    return await within(read, timeoutMs);
  } catch (error) {
    logger.warn(`${name} not read for /metrics: ${(error as Error).message}`);
    return null;
  }
}

/** /health for load balancers and compose healthchecks; /metrics for Prometheus. */
@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
    @InjectQueue(QueueName.Poll) private readonly pollQueue: Queue,
    @InjectQueue(QueueName.Capture) captureQueue: Queue,
    @InjectQueue(QueueName.Recheck) recheckQueue: Queue,
    @InjectQueue(QueueName.Media) mediaQueue: Queue,
    @InjectQueue(QueueName.Outbox) outboxQueue: Queue,
    @InjectQueue(QueueName.Webhooks) webhooksQueue: Queue,
    @InjectQueue(QueueName.Log) logQueue: Queue,
    @InjectQueue(QueueName.Anchor) anchorQueue: Queue,
    private readonly metrics: MetricsService,
    private readonly database: DatabaseProbe,
  ) {
    this.queues = [
      pollQueue,
      captureQueue,
      recheckQueue,
      mediaQueue,
      outboxQueue,
      webhooksQueue,
      logQueue,
      anchorQueue,
    ];
  }

  /** every queue a worker runs, shown on /health and counted on /metrics */
  private readonly queues: Queue[];

  private deferredRead: Promise<{ accounts: number; oldest: Date | null } | null> | null = null;

  @Get('health')
  async health(@Res({ passthrough: true }) res: Response) {
    const [database, redis] = await Promise.all([
      check('database', () => this.database.ping()),
      check('redis', async () => ((await this.pollQueue.client) as unknown as Redis).ping()),
    ]);
    // queue depths tell how busy the archive is: only for public archives (private ones have /metrics)
    const showQueues = this.config.auth.publicRead && redis.status === 'up';
    const queues = showQueues ? await this.queueCounts().catch(() => null) : null;
    const ok = database.status === 'up' && redis.status === 'up';
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'error', checks: { database, redis }, queues };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(): Promise<string> {
    const [counts, deferred] = await Promise.all([
      this.queueCounts().catch(() => null),
      // one read at a time: a scrape while one is running shares it, rather than queueing another behind it
      (this.deferredRead ??= readForMetrics('deferred accounts', () =>
        deferredPolls(this.database.metricsReader),
      ).finally(() => (this.deferredRead = null))),
    ]);
    for (const [queue, states] of Object.entries(counts ?? {})) {
      for (const [state, n] of Object.entries(states)) this.metrics.queueDepth.set({ queue, state }, n);
    }
    // not read: unknown (NaN), rather than the last value or a zero that says all is well
    const waited = deferred?.oldest ? Math.max(0, Date.now() - deferred.oldest.getTime()) / 1000 : 0;
    this.metrics.deferredAccounts.set(deferred ? deferred.accounts : Number.NaN);
    this.metrics.longestDeferral.set(deferred ? waited : Number.NaN);
    return this.metrics.registry.metrics();
  }

  /** Each queue's jobs by state: a count per state and queue (BullMQ's getJobCounts), however many jobs wait. */
  private async queueCounts(): Promise<Record<string, Record<string, number>>> {
    const states = ['waiting', 'active', 'delayed', 'failed'] as const;
    const counts = await Promise.all(this.queues.map((queue) => queue.getJobCounts(...states)));
    return Object.fromEntries(this.queues.map((queue, i) => [queue.name, counts[i]]));
  }
}
