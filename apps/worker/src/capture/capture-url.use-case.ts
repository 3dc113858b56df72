import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CaptureWriter, QuotationRecorder, type CaptureFound, type CaptureWork } from '@app/capture';
import { ErrorCode, SourceError, VerbatimError } from '@app/core';
import { addAccountReadsByIdentity, findQueuedCaptureRequest, noteCaptureAttempt } from '@app/persistence';
import { ConnectorRegistry, type ReadMeter } from '@app/sources';
import { type JobOf } from '@app/queues';

/** How often a capture that hits a passing problem of the source (network, rate limit) is tried before it is failed. */
export const CAPTURE_ATTEMPTS = 5;

/**
 * How long a capture refused for this process's own load (`local-overload`) may wait for it to pass. Such a refusal
 * is not the source's doing, so it does not spend one of the attempts; past this age the request fails with it.
 */
export const CAPTURE_DEFERRAL_LIMIT_MS = 3_600_000;

const PASSING: ReadonlySet<string> = new Set([ErrorCode.SourceUnavailable, ErrorCode.SourceRateLimited]);

/** What a failed capture attempt leads to: another try (counting as an attempt or not), or the request failed. */
export function afterCaptureFailure(
  code: string,
  request: { attempts: number; createdAt: Date },
  now: Date,
): { retry: boolean; attempts: number } {
  if (code === ErrorCode.LocalOverload)
    return {
      retry: now.getTime() - request.createdAt.getTime() < CAPTURE_DEFERRAL_LIMIT_MS,
      attempts: request.attempts,
    };
  const attempts = request.attempts + 1;
  return { retry: PASSING.has(code) && attempts < CAPTURE_ATTEMPTS, attempts };
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

  async execute({ requestId }: JobOf<'capture-url'>): Promise<void> {
    const request = await findQueuedCaptureRequest(this.db.manager, requestId);
    if (!request) return;
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
      const { retry, attempts } = afterCaptureFailure(failure.code, request, new Date());
      if (retry) {
        await noteCaptureAttempt(this.db.manager, request.id, {
          attempts,
          errorCode: failure.code,
          error: failure.message,
        });
        // BullMQ retries with backoff; once its own attempts are used up, the scheduler queues the request again
        throw failure;
      }
      await this.writer.recordCaptureFailure(work, failure);
      return;
    }
    // a captured web page's embedded posts become quoted statements (idempotent, so a replay adds nothing)
    await this.quotations.recordPagesOf(found.posts);
    await this.writer.recordCapture(work, found);
    await addAccountReadsByIdentity(this.db.manager, found.account, reads, new Date());
  }
}
