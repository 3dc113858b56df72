import { type EntityManager } from 'typeorm';
import { CaptureRequestEntity } from '../entities/capture-request.entity';

export interface CaptureRequestView {
  jobId: string;
  url: string;
  state: string;
  statementId: string | null;
  statementIds: string[];
  attempts: number;
  errorCode: string | null;
  error: string | null;
  /** since when its tries have been put off for this archive's own load (`local-overload`), not the source's */
  deferredSince: string | null;
  /** while queued after a failed or deferred try: not tried again before this */
  nextTryAt: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export async function findCaptureRequestView(
  db: EntityManager,
  id: string,
): Promise<CaptureRequestView | null> {
  const request = await db.getRepository(CaptureRequestEntity).findOneBy({ id });
  if (!request) return null;
  return {
    jobId: request.id,
    url: request.url,
    state: request.state,
    statementId: request.statementIds[0] ?? null,
    statementIds: request.statementIds,
    attempts: request.attempts,
    errorCode: request.errorCode,
    error: request.error,
    deferredSince: request.state === 'queued' ? (request.deferredSince?.toISOString() ?? null) : null,
    nextTryAt: request.state === 'queued' ? (request.retryAt?.toISOString() ?? null) : null,
    createdAt: request.createdAt.toISOString(),
    finishedAt: request.finishedAt?.toISOString() ?? null,
  };
}
