import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Queue } from 'bullmq';
import { DataSource, type EntityManager } from 'typeorm';
import { ErrorCode, SourceError, VerbatimError } from '@app/core';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { scheduleIntegration } from '@app/log';
import { MetricsService } from '@app/observability';
import {
  completePoll,
  failPoll,
  finishCaptureRequest,
  isDataException,
  recordCaptureRun,
  upsertAccount,
  writeCaptures,
  type CaptureSet,
  type WrittenCaptures,
} from '@app/persistence';
import { QueueName } from '@app/queues';
import { scheduleSequencing } from '@app/alerts';
import { type PollResult, type ResolvedAccount } from '@app/sources';
import { nextPollAfterFailure, nextPollAfterSuccess } from './poll-schedule';
import { preparePosts, type FoundPost, type RejectedPost } from './prepare-posts';

export type PollOutcome = 'captured' | 'unchanged' | 'failed' | 'stale';
export type CaptureOutcome = 'completed' | 'failed' | 'stale';

/** A poll in progress: the account as the job found it and the due time the job was made for. */
export interface PollWork {
  account: {
    id: string;
    platform: string;
    handle: string;
    pollIntervalSeconds: number;
    consecutiveFailures: number;
  };
  due: Date;
  startedAt: Date;
}

/** A capture request in progress. */
export interface CaptureWork {
  requestId: string;
  url: string;
  /** attempts made before this one */
  attempts: number;
}

/** What a capture found: the account the URL belongs to and its posts. */
export interface CaptureFound {
  account: ResolvedAccount;
  posts: FoundPost[];
}

const NOTHING_WRITTEN: WrittenCaptures = { postsSeen: 0, postsNew: 0, versionsNew: 0, statementIds: [] };

/**
 * The one place that stores what a source showed us. Polls, on-demand captures and rechecks hand it their
 * findings; in one transaction it claims the work item (an account's due time, a queued request), writes
 * statements, versions, artifacts, events and log entries, and records the run; after commit it counts
 * metrics and asks the log to integrate.
 *
 * Anything a source sent that cannot be prepared or stored becomes a recorded source failure with backoff,
 * never an error that makes the job retry unseen; one post the database refuses is skipped and the rest of
 * the page is kept. Only infrastructure errors (database or Redis away) propagate, for the queue to retry.
 */
@Injectable()
export class CaptureWriter {
  private readonly logger = new Logger(CaptureWriter.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
    private readonly metrics: MetricsService,
    @InjectQueue(QueueName.Log) private readonly logQueue: Queue,
    @InjectQueue(QueueName.Outbox) private readonly outboxQueue: Queue,
  ) {}

  /** Stores what a poll found and moves the account to its next due time. */
  async recordPoll(work: PollWork, result: PollResult<unknown>): Promise<PollOutcome> {
    const { posts, rejected } = preparePosts(result.kind === 'posts' ? result.posts : []);
    let written: WrittenCaptures | null;
    let skipped: RejectedPost[];
    try {
      ({ written, skipped } = await this.db.transaction(async (tx) => {
        const claimed = await completePoll(
          tx,
          { accountId: work.account.id, due: work.due },
          {
            cursor: result.cursor,
            nextPollAt: nextPollAfterSuccess(work.due, work.account.pollIntervalSeconds, new Date()),
            status: result.kind === 'posts' ? 'ok' : 'unchanged',
          },
        );
        if (!claimed) return { written: null, skipped: [] };
        const set = { accountId: work.account.id, capturedAt: work.startedAt, posts };
        const stored = await this.writeSet(tx, set);
        const skipped = [...rejected, ...stored.rejected];
        await recordCaptureRun(tx, {
          accountId: work.account.id,
          startedAt: work.startedAt,
          finishedAt: new Date(),
          outcome: stored.written.versionsNew === 0 ? 'unchanged' : 'captured',
          httpStatus: result.httpStatus,
          postsSeen: stored.written.postsSeen + skipped.length,
          postsNew: stored.written.postsNew,
          versionsNew: stored.written.versionsNew,
          ...skippedNote(skipped),
        });
        return { written: stored.written, skipped };
      }));
    } catch (error) {
      if (!isDataException(error)) throw error;
      return this.recordPollFailure(
        work,
        new SourceError(
          ErrorCode.SourceInvalidResponse,
          `could not store what the source sent: ${error.message}`,
        ),
      );
    }
    if (!written) return 'stale';
    const outcome = written.versionsNew === 0 ? 'unchanged' : 'captured';
    this.metrics.polls.inc({ platform: work.account.platform, outcome });
    this.afterCommit(work.account.platform, written, skipped, work.account.handle);
    return outcome;
  }

  /** Records a poll that failed, with backoff (or the platform's own retry time, clamped). */
  async recordPollFailure(work: PollWork, error: unknown): Promise<PollOutcome> {
    const failure = asSourceError(error, 'polling');
    const failures = work.account.consecutiveFailures + 1;
    const next = nextPollAfterFailure(
      failures,
      work.account.pollIntervalSeconds,
      this.config.polling,
      failure.retryAt,
      new Date(),
    );
    this.logger.warn(
      `poll of ${work.account.platform} ${work.account.handle} failed (${failure.code}): ${failure.message}; next try ${next.toISOString()}`,
    );
    const claimed = await this.db.transaction(async (tx) => {
      const claimed = await failPoll(
        tx,
        { accountId: work.account.id, due: work.due },
        {
          nextPollAt: next,
          consecutiveFailures: failures,
          errorCode: failure.code,
          error: failure.message,
          resetCursor: failure.code === ErrorCode.SourceInvalidCursor,
        },
      );
      if (!claimed) return false;
      await recordCaptureRun(tx, {
        accountId: work.account.id,
        startedAt: work.startedAt,
        finishedAt: new Date(),
        outcome: 'failed',
        httpStatus: failure.httpStatus,
        postsSeen: 0,
        postsNew: 0,
        versionsNew: 0,
        errorCode: failure.code,
        error: failure.message,
      });
      return true;
    });
    if (!claimed) return 'stale';
    this.metrics.polls.inc({ platform: work.account.platform, outcome: 'failed' });
    return 'failed';
  }

  /** Stores what an on-demand capture found, under the account it belongs to, and completes the request. */
  async recordCapture(work: CaptureWork, found: CaptureFound): Promise<CaptureOutcome> {
    const { posts, rejected } = preparePosts(found.posts);
    let result: { written: WrittenCaptures; skipped: RejectedPost[] };
    try {
      result = await this.db.transaction(async (tx) => {
        const account = await upsertAccount(tx, found.account, {
          tracking: false,
          pollIntervalSeconds: this.config.polling.defaultIntervalSeconds,
        });
        const set = { accountId: account.id, capturedAt: new Date(), posts };
        const stored = await this.writeSet(tx, set);
        const finished = await finishCaptureRequest(tx, work.requestId, {
          state: 'completed',
          attempts: work.attempts + 1,
          statementIds: stored.written.statementIds,
        });
        if (!finished) throw new StaleWork();
        return { written: stored.written, skipped: [...rejected, ...stored.rejected] };
      });
    } catch (error) {
      if (error instanceof StaleWork) return 'stale';
      if (!isDataException(error)) throw error;
      const reason = `could not store what the source sent: ${error.message}`;
      return this.recordCaptureFailure(work, new SourceError(ErrorCode.SourceInvalidResponse, reason));
    }
    this.afterCommit(found.account.platform, result.written, result.skipped, work.url);
    return 'completed';
  }

  /** Fails a capture request for good, saying why. */
  async recordCaptureFailure(work: CaptureWork, error: unknown): Promise<CaptureOutcome> {
    const failure = asSourceError(error, 'capturing');
    this.logger.warn(`capture of ${work.url} failed (${failure.code}): ${failure.message}`);
    const finished = await finishCaptureRequest(this.db.manager, work.requestId, {
      state: 'failed',
      attempts: work.attempts + 1,
      errorCode: failure.code,
      error: failure.message,
    });
    return finished ? 'failed' : 'stale';
  }

  /**
   * Writes one capture set. Should the database refuse something in it (a value it cannot hold), the set is
   * written again one post at a time, so that only the posts it refuses are lost, each with its reason.
   */
  private async writeSet(
    tx: EntityManager,
    set: CaptureSet,
  ): Promise<{ written: WrittenCaptures; rejected: RejectedPost[] }> {
    if (set.posts.length === 0) return { written: NOTHING_WRITTEN, rejected: [] };
    const whole = await attempt(tx, 'capture_set', () => writeCaptures(tx, [set], this.config.log.origin));
    if (whole.ok) return { written: whole.value[0], rejected: [] };
    if (set.posts.length === 1)
      return {
        written: NOTHING_WRITTEN,
        rejected: [{ postId: set.posts[0].content.postId, reason: whole.reason }],
      };

    const rejected: RejectedPost[] = [];
    const written: WrittenCaptures = { postsSeen: 0, postsNew: 0, versionsNew: 0, statementIds: [] };
    for (const post of set.posts) {
      const one = await attempt(tx, 'capture_post', () =>
        writeCaptures(tx, [{ ...set, posts: [post] }], this.config.log.origin),
      );
      if (!one.ok) {
        rejected.push({ postId: post.content.postId, reason: one.reason });
        continue;
      }
      written.postsSeen += one.value[0].postsSeen;
      written.postsNew += one.value[0].postsNew;
      written.versionsNew += one.value[0].versionsNew;
      written.statementIds.push(...one.value[0].statementIds);
    }
    return { written, rejected };
  }

  private afterCommit(
    platform: string,
    written: WrittenCaptures,
    skipped: RejectedPost[],
    what: string,
  ): void {
    this.metrics.captures.inc({ platform }, written.versionsNew);
    if (skipped.length > 0) this.logger.warn(`${what}: ${skippedNote(skipped).error}`);
    // new versions wait in log_pending; if Redis is away, the scheduler tick asks again
    if (written.versionsNew > 0) {
      scheduleIntegration(this.logQueue, this.config.log.checkpointIntervalMs).catch((error: Error) =>
        this.logger.warn(`could not schedule log integration: ${error.message}`),
      );
      // new versions wrote events: subscribers hear of them as soon as the outbox positions them
      scheduleSequencing(this.outboxQueue).catch((error: Error) =>
        this.logger.warn(`could not schedule event sequencing: ${error.message}`),
      );
    }
  }
}

/** The work item was already done (a replayed job): the transaction is rolled back. */
class StaleWork extends Error {}

/** Runs `write` inside a savepoint; a value the database refuses rolls back to it and is reported, not thrown. */
async function attempt<T>(
  tx: EntityManager,
  savepoint: string,
  write: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; reason: string }> {
  await tx.query(`SAVEPOINT ${savepoint}`);
  try {
    const value = await write();
    await tx.query(`RELEASE SAVEPOINT ${savepoint}`);
    return { ok: true, value };
  } catch (error) {
    if (!isDataException(error)) throw error;
    await tx.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
    return { ok: false, reason: error.message };
  }
}

/** The capture run's note about posts that could not be kept, or none. */
function skippedNote(skipped: RejectedPost[]): { errorCode: string | null; error: string | null } {
  if (skipped.length === 0) return { errorCode: null, error: null };
  const shown = skipped.slice(0, 5).map((s) => `${s.postId.slice(0, 100)}: ${s.reason.slice(0, 300)}`);
  const more = skipped.length > shown.length ? `; and ${skipped.length - shown.length} more` : '';
  return {
    errorCode: ErrorCode.SourceInvalidResponse,
    error: `${skipped.length} post(s) could not be stored and were skipped: ${shown.join('; ')}${more}`,
  };
}

/** A connector bug must not stop an account's schedule: anything unexpected becomes a recorded failure. */
function asSourceError(error: unknown, doing: string): SourceError {
  if (error instanceof SourceError) return error;
  if (error instanceof VerbatimError) return new SourceError(error.code, error.message);
  const message = error instanceof Error ? error.message : String(error);
  return new SourceError(ErrorCode.SourceUnavailable, `unexpected error while ${doing}: ${message}`);
}
