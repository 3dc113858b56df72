import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  CaptureWriter,
  nextPollAfterLocalOverload,
  QuotationRecorder,
  type CaptureFound,
  type CaptureWork,
} from '@app/capture';
import { ErrorCode, SourceError, VerbatimError } from '@app/core';
import { findQueuedCaptureRequest, noteCaptureAttempt, noteCaptureDeferral } from '@app/persistence';
import { ConnectorRegistry, type ReadMeter } from '@app/sources';
import { retryDelayMs, type JobOf } from '@app/queues';

/** How often a capture that hits a passing problem of the source (network, rate limit) is tried before it is failed. */
export const CAPTURE_ATTEMPTS = 5;

/**
 * How long a capture refused for this process's own load (`local-overload`) is tried again, from its first deferral
 * in a row. Such a refusal is not the source's doing, so it spends none of the attempts; past this it fails with it.
 */
export const CAPTURE_DEFERRAL_LIMIT_MS = 3_600_000;

/** The longest wait between two deferred tries of a capture: a person is waiting for it. */
export const CAPTURE_DEFERRAL_MAX_WAIT_SECONDS = 300;

const PASSING: ReadonlySet<string> = new Set([ErrorCode.SourceUnavailable, ErrorCode.SourceRateLimited]);

/** What a failed try of a capture leads to. */
export type CaptureFailureStep =
  { kind: 'retry'; attempts: number } | { kind: 'defer'; until: Date } | { kind: 'fail' };

/**
 * A passing problem of the source is retried (by the queue's backoff) until the attempts are used up; our own load
 * puts the capture off, spaced as a deferred poll is, for up to CAPTURE_DEFERRAL_LIMIT_MS from its first deferral
 * in a row (`deferredSince`, null for a first one); anything else fails it.
 */
export function afterCaptureFailure(
  code: string,
  request: { attempts: number; deferredSince: Date | null },
  now: Date,
  random = Math.random,
): CaptureFailureStep {
  if (code === ErrorCode.LocalOverload) {
    const since = request.deferredSince ?? now;
    if (now.getTime() - since.getTime() < CAPTURE_DEFERRAL_LIMIT_MS)
      return {
        kind: 'defer',
        until: nextPollAfterLocalOverload(CAPTURE_DEFERRAL_MAX_WAIT_SECONDS, since, now, random),
      };
    return { kind: 'fail' };
  }
  const attempts = request.attempts + 1;
  return PASSING.has(code) && attempts < CAPTURE_ATTEMPTS ? { kind: 'retry', attempts } : { kind: 'fail' };
}

/**
 * Captures one URL now (a post, or every item of a feed), tracked account or not, and hands what it found
 * to the capture writer. The request row in Postgres is the truth: a request already completed or failed is
 * left alone, so replays change nothing.
 */
@Injectable()
export class CaptureUrlUseCase {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly connectors: ConnectorRegistry,
    private readonly writer: CaptureWriter,
    private readonly quotations: QuotationRecorder,
  ) {}

  /**
   * Answers when to try again when our own load put the capture off, else null (captured or failed). Throws, for
   * the queue to retry, on a passing problem of the source.
   */
  async execute(
    { requestId }: JobOf<'capture-url'>,
    /** how many times the queue has tried this job before (it backs off by it); unknown: the request's attempts */
    queueAttempts?: number,
  ): Promise<Date | null> {
    const request = await findQueuedCaptureRequest(this.db.manager, requestId);
    if (!request) return null;
    const work: CaptureWork = { requestId: request.id, url: request.url, attempts: request.attempts };

    let found: CaptureFound;
    // an on-demand capture is not refused for the budget (a person asked for it) but its reads count
    let reads = 0;
    const countsReads: ReadMeter = { remaining: Number.POSITIVE_INFINITY, add: (n) => (reads += n) };
    try {
      const { connector, url } = this.connectors.forCapture(request.url);
      found = await connector.capture(url, countsReads);
    } catch (error) {
      const failure =
        error instanceof VerbatimError ? error : new SourceError(ErrorCode.SourceUnavailable, String(error));
      const now = new Date();
      const step = afterCaptureFailure(failure.code, request, now);
      const reason = { errorCode: failure.code, error: failure.message };
      if (step.kind === 'defer') {
        // null: finished meanwhile by another try
        return (await noteCaptureDeferral(this.db.manager, request.id, reason, step.until))
          ? step.until
          : null;
      }
      if (step.kind === 'retry') {
        // when the queue's backoff lets the job run again
        const failures = (queueAttempts ?? request.attempts) + 1;
        const retryAt = new Date(now.getTime() + retryDelayMs(failures));
        await noteCaptureAttempt(this.db.manager, request.id, {
          attempts: step.attempts,
          ...reason,
          retryAt,
        });
        // BullMQ retries with backoff; once its own attempts are used up, the scheduler queues the request again
        throw failure;
      }
      await this.writer.recordCaptureFailure(work, failure);
      return null;
    }
    // a captured web page's embedded posts become quoted statements (idempotent, so a replay adds nothing)
    await this.quotations.recordPagesOf(found.posts);
    await this.writer.recordCapture(work, found, reads);
    return null;
  }
}
