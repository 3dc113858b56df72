import { type Logger } from '@nestjs/common';
import { type Queue } from 'bullmq';
import { QueryFailedError, type EntityManager } from 'typeorm';
import { scheduleSequencing } from '@app/alerts';
import { ErrorCode, SourceError, VerbatimError, printable } from '@app/core';
import { scheduleIntegration } from '@app/log';
import { isDataException } from '@app/persistence';
import { type RejectedPost } from './prepare-posts';

/** The work item was already done (a replayed job): the transaction is rolled back. */
export class StaleWork extends Error {}

/** Runs `write` inside a savepoint; a value the database refuses rolls back to it and is reported, not thrown. */
export async function attempt<T>(
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
export function skippedNote(skipped: RejectedPost[]): { errorCode: string | null; error: string | null } {
  if (skipped.length === 0) return { errorCode: null, error: null };
  const shown = skipped.slice(0, 5).map((s) => `${s.postId.slice(0, 100)}: ${s.reason.slice(0, 300)}`);
  const more = skipped.length > shown.length ? `; and ${skipped.length - shown.length} more` : '';
  return {
    errorCode: ErrorCode.SourceInvalidResponse,
    // the ids and reasons quote what the source sent: a NUL there would make the note itself unstorable
    error: printable(
      `${skipped.length} post(s) could not be stored and were skipped: ${shown.join('; ')}${more}`,
    ),
  };
}

/** A connector bug must not stop an account's schedule: anything unexpected becomes a recorded failure. */
export function asSourceError(error: unknown, doing: string): SourceError {
  if (error instanceof SourceError) return error;
  if (error instanceof VerbatimError) return new SourceError(error.code, error.message);
  const message = error instanceof Error ? error.message : String(error);
  return new SourceError(ErrorCode.SourceUnavailable, `unexpected error while ${doing}: ${message}`);
}

/** A deadlock or serialization failure: the transaction lost to a concurrent one and may simply run again. */
export function isLockConflict(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const code = (error.driverError as { code?: unknown } | undefined)?.code;
  return code === '40P01' || code === '40001';
}

/**
 * After a commit that wrote log entries and events: asks the log to integrate them and the outbox to position
 * the events, so subscribers hear at once. Redis away costs nothing: the scheduler tick asks again.
 */
export function requestLogAndEvents(
  queues: { log: Queue; outbox: Queue },
  checkpointIntervalMs: number,
  logger: Logger,
): void {
  scheduleIntegration(queues.log, checkpointIntervalMs).catch((error: Error) =>
    logger.warn(`could not schedule log integration: ${error.message}`),
  );
  scheduleSequencing(queues.outbox).catch((error: Error) =>
    logger.warn(`could not schedule event sequencing: ${error.message}`),
  );
}
