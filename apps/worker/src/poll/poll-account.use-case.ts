import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { ErrorCode, SourceError } from '@app/core';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { scheduleIntegration } from '@app/log';
import { MetricsService } from '@app/observability';
import { AccountEntity, isDataException, recordCaptureRun, storeCaptures } from '@app/persistence';
import { ConnectorRegistry, type PollCursor, type PollResult } from '@app/sources';
import { QueueName, type JobOf } from '@app/queues';
import { nextPollAfterFailure, nextPollAfterSuccess } from './poll-schedule';
import { accountToResolved } from './account-to-resolved';

export type PollOutcome = 'captured' | 'unchanged' | 'failed' | 'stale';

/**
 * Polls one account once: asks its connector for what is new since the cursor, then in one transaction
 * stores the posts, moves the cursor and the next poll time, and records the run. A job for a due time
 * that was already handled (a replay after a crash or a flushed Redis) changes nothing.
 */
@Injectable()
export class PollAccountUseCase {
  private readonly logger = new Logger(PollAccountUseCase.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly connectors: ConnectorRegistry,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
    private readonly metrics: MetricsService,
    @InjectQueue(QueueName.Log) private readonly logQueue: Queue,
  ) {}

  async execute({ accountId, dueAt }: JobOf<'poll-account'>): Promise<PollOutcome> {
    const account = await this.db.getRepository(AccountEntity).findOneBy({ id: accountId });
    const due = new Date(dueAt);
    if (!account || !account.tracking || account.paused || account.nextPollAt.getTime() !== due.getTime())
      return 'stale';

    const startedAt = new Date();
    const stopTimer = this.metrics.pollDuration.startTimer({ platform: account.platform });
    let result: PollResult;
    try {
      result = await this.connectors
        .forPlatform(account.platform)
        .poll(accountToResolved(account), account.cursor as PollCursor);
    } catch (error) {
      const outcome = await this.recordFailure(account, due, startedAt, asSourceError(error));
      stopTimer();
      return outcome;
    }

    let outcome: PollOutcome;
    try {
      outcome = await this.store(account, due, startedAt, result);
    } catch (error) {
      if (!isDataException(error)) throw error; // the database is away: the job is retried
      stopTimer();
      const reason = `could not store what the source sent: ${error.message}`;
      return this.recordFailure(
        account,
        due,
        startedAt,
        new SourceError(ErrorCode.SourceInvalidResponse, reason),
      );
    }
    stopTimer();
    if (outcome !== 'stale') this.metrics.polls.inc({ platform: account.platform, outcome });
    if (outcome === 'captured') await this.requestIntegration();
    return outcome;
  }

  /** Claims the account's due time, stores what the poll found and records the run, in one transaction. */
  private store(
    account: AccountEntity,
    due: Date,
    startedAt: Date,
    result: PollResult,
  ): Promise<PollOutcome> {
    return this.db.transaction(async (tx) => {
      const next = nextPollAfterSuccess(due, account.pollIntervalSeconds, new Date());
      const [, claimed]: [unknown, number] = await tx.query(
        `UPDATE accounts SET cursor = $3, next_poll_at = $4, last_polled_at = now(), last_poll_status = $5,
           last_error = NULL, last_error_code = NULL, consecutive_failures = 0, updated_at = now()
         WHERE id = $1 AND next_poll_at = $2 AND tracking`,
        [account.id, due, result.cursor, next, result.kind === 'posts' ? 'ok' : 'unchanged'],
      );
      if (claimed === 0) return 'stale' as const;

      const stored =
        result.kind === 'posts'
          ? await storeCaptures(tx, {
              accountId: account.id,
              capturedAt: startedAt,
              evidenceLevel: 'captured',
              logOrigin: this.config.log.origin,
              posts: result.posts,
            })
          : { postsSeen: 0, postsNew: 0, versionsNew: 0 };
      const quiet = stored.versionsNew === 0;
      await recordCaptureRun(tx, {
        accountId: account.id,
        startedAt,
        finishedAt: new Date(),
        outcome: quiet ? 'unchanged' : 'captured',
        httpStatus: result.httpStatus,
        postsSeen: stored.postsSeen,
        postsNew: stored.postsNew,
        versionsNew: stored.versionsNew,
        errorCode: null,
        error: null,
      });
      this.metrics.captures.inc({ platform: account.platform }, stored.versionsNew);
      return quiet ? ('unchanged' as const) : ('captured' as const);
    });
  }

  /** New versions wait in log_pending; if Redis is away, the scheduler tick asks again. */
  private async requestIntegration(): Promise<void> {
    await scheduleIntegration(this.logQueue, this.config.log.checkpointIntervalMs).catch((error: Error) =>
      this.logger.warn(`could not schedule log integration: ${error.message}`),
    );
  }

  private async recordFailure(
    account: AccountEntity,
    due: Date,
    startedAt: Date,
    error: SourceError,
  ): Promise<PollOutcome> {
    const failures = account.consecutiveFailures + 1;
    const next = nextPollAfterFailure(
      failures,
      account.pollIntervalSeconds,
      this.config.polling,
      error.retryAt,
      new Date(),
    );
    this.logger.warn(
      `poll of ${account.platform} ${account.handle} failed (${error.code}): ${error.message}; next try ${next.toISOString()}`,
    );
    return this.db.transaction(async (tx) => {
      const [, claimed]: [unknown, number] = await tx.query(
        `UPDATE accounts SET next_poll_at = $3, last_polled_at = now(), last_poll_status = 'failed',
           last_error = $4, last_error_code = $5, consecutive_failures = $6, updated_at = now()
         WHERE id = $1 AND next_poll_at = $2 AND tracking`,
        [account.id, due, next, error.message, error.code, failures],
      );
      if (claimed === 0) return 'stale' as const;
      await recordCaptureRun(tx, {
        accountId: account.id,
        startedAt,
        finishedAt: new Date(),
        outcome: 'failed',
        httpStatus: error.httpStatus,
        postsSeen: 0,
        postsNew: 0,
        versionsNew: 0,
        errorCode: error.code,
        error: error.message,
      });
      this.metrics.polls.inc({ platform: account.platform, outcome: 'failed' });
      return 'failed' as const;
    });
  }
}

/** A connector bug must not stop the account's schedule: anything unexpected becomes a recorded failure. */
function asSourceError(error: unknown): SourceError {
  if (error instanceof SourceError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SourceError(ErrorCode.SourceUnavailable, `unexpected error while polling: ${message}`);
}
