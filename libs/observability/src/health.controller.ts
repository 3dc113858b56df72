import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Queue } from 'bullmq';
import type Redis from 'ioredis';
import { type Response } from 'express';
import { DataSource } from 'typeorm';
import { QueueName } from '@app/queues';
import { MetricsService } from './metrics.service';

type Check = { status: 'up' } | { status: 'down'; error: string };

async function check(probe: () => Promise<unknown>, timeoutMs = 2000): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** /health for load balancers and compose healthchecks; /metrics for Prometheus. */
@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(QueueName.Poll) private readonly pollQueue: Queue,
    @InjectQueue(QueueName.Capture) private readonly captureQueue: Queue,
    private readonly metrics: MetricsService,
  ) {}

  @Get('health')
  async health(@Res({ passthrough: true }) res: Response) {
    const [database, redis] = await Promise.all([
      check(() => this.db.query('SELECT 1')),
      check(async () => ((await this.pollQueue.client) as unknown as Redis).ping()),
    ]);
    const queues = redis.status === 'up' ? await this.queueCounts().catch(() => null) : null;
    const ok = database.status === 'up' && redis.status === 'up';
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'error', checks: { database, redis }, queues };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(): Promise<string> {
    const counts = await this.queueCounts().catch(() => null);
    for (const [queue, states] of Object.entries(counts ?? {})) {
      for (const [state, n] of Object.entries(states)) this.metrics.queueDepth.set({ queue, state }, n);
    }
    return this.metrics.registry.metrics();
  }

  private async queueCounts(): Promise<Record<string, Record<string, number>>> {
    const states = ['waiting', 'active', 'delayed', 'failed'] as const;
    const [poll, capture] = await Promise.all([
      this.pollQueue.getJobCounts(...states),
      this.captureQueue.getJobCounts(...states),
    ]);
    return { [QueueName.Poll]: poll, [QueueName.Capture]: capture };
  }
}
