import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { ErrorCode, SourceError, VerbatimError } from '@app/core';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { scheduleIntegration } from '@app/log';
import { MetricsService } from '@app/observability';
import { CaptureRequestEntity, isDataException, storeCaptures, upsertAccount } from '@app/persistence';
import { ConnectorRegistry, type Connector } from '@app/sources';
import { QueueName, type JobOf } from '@app/queues';

/** How often a capture that hits a passing problem (network, rate limit) is tried before it is failed. */
export const CAPTURE_ATTEMPTS = 5;

const PASSING: ReadonlySet<ErrorCode> = new Set([ErrorCode.SourceUnavailable, ErrorCode.SourceRateLimited]);

/**
 * Captures one URL now (a post, or every item of a feed), tracked account or not. The request row in
 * Postgres is the truth: a request already completed or failed is left alone, so replays change nothing.
 */
@Injectable()
export class CaptureUrlUseCase {
  private readonly logger = new Logger(CaptureUrlUseCase.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly connectors: ConnectorRegistry,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
    private readonly metrics: MetricsService,
    @InjectQueue(QueueName.Log) private readonly logQueue: Queue,
  ) {}

  async execute({ requestId }: JobOf<'capture-url'>): Promise<void> {
    const requests = this.db.getRepository(CaptureRequestEntity);
    const request = await requests.findOneBy({ id: requestId });
    if (!request || request.state !== 'queued') return;

    let captured;
    try {
      const { connector, url } = this.connectors.forCapture(request.url);
      captured = await connector.capture(url);
    } catch (error) {
      const failure =
        error instanceof VerbatimError ? error : new SourceError(ErrorCode.SourceUnavailable, String(error));
      const attempts = request.attempts + 1;
      if (PASSING.has(failure.code) && attempts < CAPTURE_ATTEMPTS) {
        await requests.update(
          { id: request.id, state: 'queued' },
          { attempts, errorCode: failure.code, error: failure.message },
        );
        throw failure; // BullMQ retries with backoff
      }
      await this.fail(request, attempts, failure);
      return;
    }

    let versionsNew: number;
    try {
      versionsNew = await this.store(request, captured);
    } catch (error) {
      if (!isDataException(error)) throw error; // the database is away: the job is retried
      const reason = `could not store what the source sent: ${error.message}`;
      await this.fail(
        request,
        request.attempts + 1,
        new SourceError(ErrorCode.SourceInvalidResponse, reason),
      );
      return;
    }
    if (versionsNew > 0) {
      await scheduleIntegration(this.logQueue, this.config.log.checkpointIntervalMs).catch((error: Error) =>
        this.logger.warn(`could not schedule log integration: ${error.message}`),
      );
    }
  }

  private async fail(request: CaptureRequestEntity, attempts: number, failure: VerbatimError): Promise<void> {
    this.logger.warn(`capture of ${request.url} failed (${failure.code}): ${failure.message}`);
    await this.db.getRepository(CaptureRequestEntity).update(
      { id: request.id, state: 'queued' },
      {
        attempts,
        state: 'failed',
        errorCode: failure.code,
        error: failure.message,
        finishedAt: new Date(),
      },
    );
  }

  /** The account, the captures and the request's completion, in one transaction. */
  private store(
    request: CaptureRequestEntity,
    captured: Awaited<ReturnType<Connector['capture']>>,
  ): Promise<number> {
    return this.db.transaction(async (tx) => {
      const account = await upsertAccount(tx, captured.account, {
        tracking: false,
        pollIntervalSeconds: this.config.polling.defaultIntervalSeconds,
      });
      const stored = await storeCaptures(tx, {
        accountId: account.id,
        capturedAt: new Date(),
        evidenceLevel: 'captured',
        logOrigin: this.config.log.origin,
        posts: captured.posts,
      });
      await tx.getRepository(CaptureRequestEntity).update(
        { id: request.id, state: 'queued' },
        {
          state: 'completed',
          statementIds: stored.statementIds,
          attempts: request.attempts + 1,
          finishedAt: new Date(),
          errorCode: null,
          error: null,
        },
      );
      this.metrics.captures.inc({ platform: captured.account.platform }, stored.versionsNew);
      return stored.versionsNew;
    });
  }
}
