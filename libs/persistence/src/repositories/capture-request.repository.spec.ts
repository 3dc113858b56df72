import { useTestDatabase } from '@app/testing/test-database';
import { findCaptureRequestView } from '../queries/capture-request.queries';
import {
  createCaptureRequest,
  finishCaptureRequest,
  markCaptureRequestsOffered,
  noteCaptureAttempt,
  noteCaptureDeferral,
  selectQueuedCaptureRequests,
} from './capture-request.repository';

/** What the scheduler offers Redis again: queued requests whose job may be lost, and only once their try is due. */
describe('capture requests and their retry time (on a real database)', () => {
  const database = useTestDatabase();
  const seconds = (s: number) => new Date(Date.now() + s * 1000);
  const EPOCH = 'epoch-1';
  /** what a scheduler tick at `now` would re-queue of these ids (every request counts as old enough) */
  const requeued = async (ids: string[], now: Date, epoch = EPOCH) =>
    (
      await selectQueuedCaptureRequests(database.db.manager, {
        olderThan: seconds(3600),
        now,
        epoch,
        reofferAfterMs: 60_000,
        limit: 1000,
      })
    ).filter((id) => ids.includes(id));

  it('offers a request that failed for the source again only once its backoff has ended', async () => {
    const db = database.db.manager;
    const { id } = await createCaptureRequest(db, 'https://mfa.example/news.xml');
    expect(await requeued([id], new Date())).toEqual([id]);

    const retryAt = seconds(4);
    await noteCaptureAttempt(db, id, {
      attempts: 1,
      errorCode: 'source-unavailable',
      error: 'mfa.example answered 503',
      retryAt,
    });
    expect(await requeued([id], new Date())).toEqual([]);
    expect(await requeued([id], new Date(retryAt.getTime() - 1))).toEqual([]);
    expect(await requeued([id], retryAt)).toEqual([id]);
    expect(await findCaptureRequestView(db, id)).toMatchObject({
      state: 'queued',
      attempts: 1,
      nextTryAt: retryAt.toISOString(),
      deferredSince: null,
    });
  });

  it('offers a deferred request again only at its retry time, and shows none once it is finished', async () => {
    const db = database.db.manager;
    const { id } = await createCaptureRequest(db, 'https://mfa.example/statement/1');
    const retryAt = seconds(20);
    const since = await noteCaptureDeferral(
      db,
      id,
      { errorCode: 'local-overload', error: 'HTTP bodies in flight at the limit' },
      retryAt,
    );
    expect(since).toBeInstanceOf(Date);
    expect(await requeued([id], seconds(19))).toEqual([]);
    expect(await requeued([id], seconds(21))).toEqual([id]);
    expect(await findCaptureRequestView(db, id)).toMatchObject({
      attempts: 0,
      nextTryAt: retryAt.toISOString(),
      deferredSince: since!.toISOString(),
    });

    await finishCaptureRequest(db, id, { state: 'completed', attempts: 1, statementIds: [] });
    expect(await requeued([id], seconds(21))).toEqual([]);
    expect(await findCaptureRequestView(db, id)).toMatchObject({
      state: 'completed',
      nextTryAt: null,
      deferredSince: null,
    });
  });

  it('offers a request waiting its turn once a minute under one queue epoch, and at once under a new one', async () => {
    const db = database.db.manager;
    const { id } = await createCaptureRequest(db, 'https://mfa.example/statement/2');
    const offeredAt = new Date();
    await markCaptureRequestsOffered(db, [id], EPOCH, offeredAt);
    const after = (s: number) => new Date(offeredAt.getTime() + s * 1000);
    // its job is most likely still waiting: the next ticks leave it alone
    expect(await requeued([id], after(1))).toEqual([]);
    expect(await requeued([id], after(59))).toEqual([]);
    // a flushed Redis took the epoch with it: offered again at once
    expect(await requeued([id], after(1), 'epoch-2')).toEqual([id]);
    // the job may have failed for good without finishing the request: offered again after a minute
    expect(await requeued([id], after(60))).toEqual([id]);
  });

  it('offers a request again once its retry time has come, however lately it was offered', async () => {
    const db = database.db.manager;
    const { id } = await createCaptureRequest(db, 'https://mfa.example/statement/3');
    await markCaptureRequestsOffered(db, [id], EPOCH, new Date());
    const retryAt = seconds(5);
    await noteCaptureAttempt(db, id, {
      attempts: 1,
      errorCode: 'source-unavailable',
      error: 'mfa.example answered 503',
      retryAt,
    });
    expect(await requeued([id], seconds(4))).toEqual([]);
    expect(await requeued([id], retryAt)).toEqual([id]);
    // offered at its retry time: then a minute again
    await markCaptureRequestsOffered(db, [id], EPOCH, retryAt);
    expect(await requeued([id], new Date(retryAt.getTime() + 30_000))).toEqual([]);
  });
});
