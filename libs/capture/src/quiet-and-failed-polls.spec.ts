import { ErrorCode, SourceError } from '@app/core';
import { type PollResult } from '@app/sources';
import { useCaptureWriter } from '@app/testing/capture-writer-fixture';
import { type PollWork } from './capture-work';

/** Group commit of quiet and failed polls, against a real database: claims stay exact per poll, nothing is lost. */
describe('CaptureWriter: quiet and failed polls written in batches (on a real database)', () => {
  const DUE = new Date('2030-01-01T00:00:00.000Z');
  const fixture = useCaptureWriter(DUE);

  const quiet = (cursor: unknown = { sinceId: '42' }, httpStatus = 200): PollResult<unknown> => ({
    kind: 'unchanged',
    httpStatus,
    cursor,
  });

  async function accountRow(id: string) {
    const [row]: {
      next_poll_at: Date;
      last_poll_status: string;
      cursor: unknown;
      consecutive_failures: number;
      last_error_code: string | null;
      deferred_since: Date | null;
    }[] = await fixture.db.query(
      `SELECT next_poll_at, last_poll_status, cursor, consecutive_failures, last_error_code, deferred_since
       FROM accounts WHERE id = $1`,
      [id],
    );
    return row;
  }

  async function runsOf(id: string) {
    const rows: { outcome: string; polls: number; http_status: number | null; error_code: string | null }[] =
      await fixture.db.query(
        `SELECT outcome, polls, http_status, error_code FROM capture_runs WHERE account_id = $1 ORDER BY id`,
        [id],
      );
    return rows;
  }

  async function pollsCounted(outcome: string): Promise<number> {
    const { values } = await fixture.metrics.polls.get();
    return values.filter((v) => v.labels.outcome === outcome).reduce((sum, v) => sum + v.value, 0);
  }

  it('two jobs of the same due time in one batch write once: one is unchanged, the other stale', async () => {
    const work = await fixture.trackedAccount();
    const countedBefore = await pollsCounted('unchanged');
    // both handed in in the same tick: the same batch
    const outcomes = await Promise.all([
      fixture.writer.recordPoll(work, quiet()),
      fixture.writer.recordPoll({ ...work, startedAt: new Date() }, quiet()),
    ]);
    expect([...outcomes].sort()).toEqual(['stale', 'unchanged']);
    expect(await runsOf(work.account.id)).toEqual([
      { outcome: 'unchanged', polls: 1, http_status: 200, error_code: null },
    ]);
    const row = await accountRow(work.account.id);
    expect(row.last_poll_status).toBe('unchanged');
    expect(row.cursor).toEqual({ sinceId: '42' });
    expect(row.next_poll_at.getTime()).toBeGreaterThan(DUE.getTime());
    expect((await pollsCounted('unchanged')) - countedBefore).toBe(1);
  });

  it('a batch with one poll whose claim lost writes the others, and the lost one not at all', async () => {
    const [a, lost, c] = await fixture.trackedAccounts(3);
    // another worker already handled the lost account's due time
    const movedTo = await fixture.loseClaim(lost);

    const outcomes = await Promise.all([a, lost, c].map((work) => fixture.writer.recordPoll(work, quiet())));
    expect(outcomes).toEqual(['unchanged', 'stale', 'unchanged']);
    for (const work of [a, c]) {
      expect(await runsOf(work.account.id)).toEqual([
        { outcome: 'unchanged', polls: 1, http_status: 200, error_code: null },
      ]);
      expect((await accountRow(work.account.id)).last_poll_status).toBe('unchanged');
    }
    // one statement wrote both runs: they share its finishing time
    const finished: { finished_at: Date }[] = await fixture.db.query(
      `SELECT finished_at FROM capture_runs WHERE account_id = ANY($1)`,
      [[a.account.id, c.account.id]],
    );
    expect(new Set(finished.map((r) => r.finished_at.getTime())).size).toBe(1);
    expect(await runsOf(lost.account.id)).toEqual([]);
    const untouched = await accountRow(lost.account.id);
    expect(untouched.next_poll_at.getTime()).toBe(movedTo.getTime());
    expect(untouched.last_poll_status).toBe('never');
  });

  it('extends an account’s quiet run, and starts a new one when the answer differs', async () => {
    const [same, other] = await fixture.trackedAccounts(2);
    expect(
      await Promise.all([
        fixture.writer.recordPoll(same, quiet()),
        fixture.writer.recordPoll(other, quiet()),
      ]),
    ).toEqual(['unchanged', 'unchanged']);
    const next = async (work: PollWork): Promise<PollWork> => ({
      ...work,
      due: (await accountRow(work.account.id)).next_poll_at,
      startedAt: new Date(),
    });
    // the next round: one answers as before, the other with a 304
    const [sameNext, otherNext] = [await next(same), await next(other)];
    expect(
      await Promise.all([
        fixture.writer.recordPoll(sameNext, quiet()),
        fixture.writer.recordPoll(otherNext, quiet(undefined, 304)),
      ]),
    ).toEqual(['unchanged', 'unchanged']);
    expect(await runsOf(same.account.id)).toEqual([
      { outcome: 'unchanged', polls: 2, http_status: 200, error_code: null },
    ]);
    expect(await runsOf(other.account.id)).toEqual([
      { outcome: 'unchanged', polls: 1, http_status: 200, error_code: null },
      { outcome: 'unchanged', polls: 1, http_status: 304, error_code: null },
    ]);
  });

  it('a batch the database refuses is written poll by poll: the bad poll is a recorded failure, the rest kept', async () => {
    const [good, bad, alsoGood] = await fixture.trackedAccounts(3);
    // PostgreSQL's jsonb cannot hold U+0000: this cursor fails the batch's one statement
    const outcomes = await Promise.all([
      fixture.writer.recordPoll(good, quiet()),
      fixture.writer.recordPoll(bad, quiet({ sinceId: 'a\u0000b' })),
      fixture.writer.recordPoll(alsoGood, quiet()),
    ]);
    expect(outcomes).toEqual(['unchanged', 'failed', 'unchanged']);
    for (const work of [good, alsoGood]) {
      expect(await runsOf(work.account.id)).toEqual([
        { outcome: 'unchanged', polls: 1, http_status: 200, error_code: null },
      ]);
    }
    expect(await runsOf(bad.account.id)).toEqual([
      { outcome: 'failed', polls: 1, http_status: null, error_code: 'source-invalid-response' },
    ]);
    expect((await accountRow(bad.account.id)).last_poll_status).toBe('failed');
  });

  it('records a failure whose reason quotes a NUL and control characters, escaped (PostgreSQL text refuses NUL)', async () => {
    const work = await fixture.trackedAccount();
    const outcome = await fixture.writer.recordPollFailure(
      work,
      new Error('the root element is <r\u0000\u001b[31m>'),
    );
    expect(outcome).toBe('failed');
    const [row]: { last_error: string }[] = await fixture.db.query(
      `SELECT last_error FROM accounts WHERE id = $1`,
      [work.account.id],
    );
    expect(row.last_error).toBe('unexpected error while polling: the root element is <r\\u0000\\u001b[31m>');
    expect(await runsOf(work.account.id)).toEqual([
      { outcome: 'failed', polls: 1, http_status: null, error_code: 'source-unavailable' },
    ]);
  });

  const unavailable = (status = 503) =>
    new SourceError(ErrorCode.SourceUnavailable, `diplo.example answered ${status}`, status);

  it('failed polls of one tick share a statement; a lost claim among them is stale and writes nothing', async () => {
    const [a, lost, c] = await fixture.trackedAccounts(3);
    // another worker already handled the lost account's due time
    const movedTo = await fixture.loseClaim(lost);
    const countedBefore = await pollsCounted('failed');

    const transactions = jest.spyOn(fixture.db, 'transaction');

    const outcomes = await Promise.all(
      [a, lost, c].map((work) => fixture.writer.recordPollFailure(work, unavailable())),
    );

    expect(outcomes).toEqual(['failed', 'stale', 'failed']);
    expect(transactions).toHaveBeenCalledTimes(1);
    transactions.mockRestore();
    for (const work of [a, c]) {
      expect(await runsOf(work.account.id)).toEqual([
        { outcome: 'failed', polls: 1, http_status: 503, error_code: 'source-unavailable' },
      ]);
      const row = await accountRow(work.account.id);
      expect(row).toMatchObject({ last_poll_status: 'failed', consecutive_failures: 1 });
      expect(row.next_poll_at.getTime()).toBeGreaterThan(Date.now());
    }
    const finished: { finished_at: Date }[] = await fixture.db.query(
      `SELECT finished_at FROM capture_runs WHERE account_id = ANY($1)`,
      [[a.account.id, c.account.id]],
    );
    expect(new Set(finished.map((r) => r.finished_at.getTime())).size).toBe(1);
    expect(await runsOf(lost.account.id)).toEqual([]);
    expect(await accountRow(lost.account.id)).toMatchObject({
      next_poll_at: movedTo,
      last_poll_status: 'never',
    });
    expect((await pollsCounted('failed')) - countedBefore).toBe(2);
  });

  it('two failed jobs of the same due time in one batch write once', async () => {
    const work = await fixture.trackedAccount();
    const outcomes = await Promise.all([
      fixture.writer.recordPollFailure(work, unavailable()),
      fixture.writer.recordPollFailure({ ...work, startedAt: new Date() }, unavailable()),
    ]);
    expect([...outcomes].sort()).toEqual(['failed', 'stale']);
    expect(await runsOf(work.account.id)).toEqual([
      { outcome: 'failed', polls: 1, http_status: 503, error_code: 'source-unavailable' },
    ]);
  });

  it('a failure like the last extends its run, another starts one; an unreadable cursor starts the account over', async () => {
    const work = await fixture.trackedAccount();
    await fixture.db.query(`UPDATE accounts SET cursor = '{"sinceId":"7"}' WHERE id = $1`, [work.account.id]);
    const retry = async (failures: number): Promise<PollWork> => ({
      account: { ...work.account, consecutiveFailures: failures },
      due: (await accountRow(work.account.id)).next_poll_at,
      startedAt: new Date(),
    });

    expect(await fixture.writer.recordPollFailure(work, unavailable())).toBe('failed');
    expect(await fixture.writer.recordPollFailure(await retry(1), unavailable())).toBe('failed');
    expect(await fixture.writer.recordPollFailure(await retry(2), unavailable(502))).toBe('failed');
    expect((await accountRow(work.account.id)).cursor).toEqual({ sinceId: '7' });
    const cursorError = new SourceError(ErrorCode.SourceInvalidCursor, 'not a cursor this connector wrote');
    expect(await fixture.writer.recordPollFailure(await retry(3), cursorError)).toBe('failed');

    expect(await runsOf(work.account.id)).toEqual([
      { outcome: 'failed', polls: 2, http_status: 503, error_code: 'source-unavailable' },
      { outcome: 'failed', polls: 1, http_status: 502, error_code: 'source-unavailable' },
      { outcome: 'failed', polls: 1, http_status: null, error_code: 'source-invalid-cursor' },
    ]);
    expect(await accountRow(work.account.id)).toMatchObject({
      cursor: {},
      consecutive_failures: 4,
      last_error_code: 'source-invalid-cursor',
    });
  });

  it('a poll refused for our own load is deferred: soon again, the account’s status, error and failures kept', async () => {
    const [failing, fresh, other] = await fixture.trackedAccounts(3);
    expect(await fixture.writer.recordPollFailure(failing, unavailable())).toBe('failed');
    const before = await accountRow(failing.account.id);
    const overload = () =>
      new SourceError(ErrorCode.LocalOverload, 'response not read: this process would be receiving too much');
    const deferredBefore = await pollsCounted('deferred');

    const writtenAt = Date.now();
    // in one batch with a failure of the source's own
    const outcomes = await Promise.all([
      fixture.writer.recordPollFailure(
        {
          account: { ...failing.account, consecutiveFailures: 1 },
          due: before.next_poll_at,
          startedAt: new Date(),
        },
        overload(),
      ),
      fixture.writer.recordPollFailure(fresh, overload()),
      fixture.writer.recordPollFailure(other, unavailable()),
    ]);

    expect(outcomes).toEqual(['deferred', 'deferred', 'failed']);
    expect(await pollsCounted('deferred')).toBe(deferredBefore + 2);
    const after = await accountRow(failing.account.id);
    expect(after).toMatchObject({
      last_poll_status: 'failed',
      consecutive_failures: 1,
      last_error_code: 'source-unavailable',
    });
    // no backoff: the source is not at fault
    expect(after.next_poll_at.getTime()).toBeGreaterThan(writtenAt);
    expect(after.next_poll_at.getTime()).toBeLessThanOrEqual(writtenAt + 30_000 + 1000);
    expect(await accountRow(fresh.account.id)).toMatchObject({
      last_poll_status: 'never',
      consecutive_failures: 0,
      last_error_code: null,
    });
    expect((await accountRow(other.account.id)).consecutive_failures).toBe(1);
    // the poll's history still shows what happened
    expect(await runsOf(fresh.account.id)).toEqual([
      { outcome: 'deferred', polls: 1, http_status: null, error_code: 'local-overload' },
    ]);
  });

  it('an account is marked deferred from its first deferral in a row until a poll is not deferred', async () => {
    const [thenQuiet, thenFailing] = await fixture.trackedAccounts(2);
    const overload = () => new SourceError(ErrorCode.LocalOverload, 'parse thread kept off the cores');
    const again = async (work: PollWork, deferredSince: Date | null): Promise<PollWork> => ({
      account: { ...work.account, deferredSince },
      due: (await accountRow(work.account.id)).next_poll_at,
      startedAt: new Date(),
    });

    expect(await fixture.writer.recordPollFailure(thenQuiet, overload())).toBe('deferred');
    const first = (await accountRow(thenQuiet.account.id)).deferred_since;
    expect(first).toBeInstanceOf(Date);
    // deferred again: the mark keeps its first time, and the retry is spaced by how long the account has waited
    const longAgo = new Date(Date.now() - 7_200_000);
    const writtenAt = Date.now();
    expect(await fixture.writer.recordPollFailure(await again(thenQuiet, longAgo), overload())).toBe(
      'deferred',
    );
    const deferredTwice = await accountRow(thenQuiet.account.id);
    expect(deferredTwice.deferred_since).toEqual(first);
    // two hours deferred, a 300 s interval: between half the interval and the interval, not within 30 s
    expect(deferredTwice.next_poll_at.getTime()).toBeGreaterThanOrEqual(writtenAt + 150_000);
    expect(deferredTwice.next_poll_at.getTime()).toBeLessThanOrEqual(Date.now() + 300_000);

    expect(await fixture.writer.recordPoll(await again(thenQuiet, first), quiet())).toBe('unchanged');
    expect((await accountRow(thenQuiet.account.id)).deferred_since).toBeNull();

    expect(await fixture.writer.recordPollFailure(thenFailing, overload())).toBe('deferred');
    const deferredSince = (await accountRow(thenFailing.account.id)).deferred_since;
    expect(
      await fixture.writer.recordPollFailure(await again(thenFailing, deferredSince), unavailable()),
    ).toBe('failed');
    expect(await accountRow(thenFailing.account.id)).toMatchObject({
      deferred_since: null,
      consecutive_failures: 1,
      last_poll_status: 'failed',
    });
  });

  it('a batch of failures the database refuses is written poll by poll: the refused job errors, the rest kept', async () => {
    const [good, bad, alsoGood] = await fixture.trackedAccounts(3);
    // a retry time PostgreSQL cannot read (class 22) fails the batch's statement
    const results = await Promise.allSettled([
      fixture.writer.recordPollFailure(good, unavailable()),
      fixture.writer.recordPollFailure(bad, unavailable(), new Date(Number.NaN)),
      fixture.writer.recordPollFailure(alsoGood, unavailable()),
    ]);

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    for (const work of [good, alsoGood]) {
      expect(await runsOf(work.account.id)).toEqual([
        { outcome: 'failed', polls: 1, http_status: 503, error_code: 'source-unavailable' },
      ]);
    }
    // its job fails for the queue to retry; nothing of it was written
    expect(await runsOf(bad.account.id)).toEqual([]);
    expect((await accountRow(bad.account.id)).last_poll_status).toBe('never');
  });
});
