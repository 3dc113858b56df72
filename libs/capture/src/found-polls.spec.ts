import { type FetchedPost, type PollResult } from '@app/sources';
import { useCaptureWriter } from '@app/testing/capture-writer-fixture';
import { statementContent } from '@app/testing/statement-content';
import { type PollWork } from './capture-work';
import { FOUND_POLL_BATCH_MAX_VERSIONS } from './poll-batches';

/**
 * Group commit of polls that found posts, against a real database: one transaction for the batch, claims
 * exact per poll, and one poll's bad data costs only that poll's bad posts.
 */
describe('CaptureWriter: polls with posts written in batches (on a real database)', () => {
  const DUE = new Date('2030-01-01T00:00:00.000Z');
  const fixture = useCaptureWriter(DUE);

  function post(work: PollWork, postId: string, text: string): FetchedPost {
    const body = Buffer.from(JSON.stringify({ id: postId, content: text }));
    return {
      content: statementContent(postId, {
        account: work.account.handle,
        url: `https://diplo.example/@${work.account.handle}/${postId}`,
        authoredAt: '2029-12-31T23:00:00.000Z',
        text,
      }),
      artifacts: [{ role: 'response', mediaType: 'application/json', bytes: body }],
      evidenceLevel: 'captured',
    };
  }

  const found = (posts: FetchedPost[], cursor: unknown = { sinceId: '42' }): PollResult<unknown> => ({
    kind: 'posts',
    httpStatus: 200,
    posts,
    cursor,
  });

  async function versionsOf(accountId: string) {
    const rows: { external_id: string; number: number; text: string }[] = await fixture.db.query(
      `SELECT s.external_id, v.number, s.latest_text AS text FROM statements s
       JOIN versions v ON v.statement_id = s.id WHERE s.account_id = $1 ORDER BY s.external_id, v.number`,
      [accountId],
    );
    return rows;
  }

  async function runsOf(id: string) {
    const rows: {
      outcome: string;
      polls: number;
      posts_seen: number;
      versions_new: number;
      error_code: string | null;
      error: string | null;
    }[] = await fixture.db.query(
      `SELECT outcome, polls, posts_seen, versions_new, error_code, error FROM capture_runs
       WHERE account_id = $1 ORDER BY id`,
      [id],
    );
    return rows;
  }

  /** What waits for the log and the alerts: one log entry and one event per new version. */
  async function pendingOf(accountId: string) {
    const [row]: { log: string; events: string }[] = await fixture.db.query(
      `SELECT (SELECT count(*) FROM log_pending l JOIN statements s ON s.id = l.statement_id WHERE s.account_id = $1) AS log,
              (SELECT count(*) FROM events WHERE account_id = $1) AS events`,
      [accountId],
    );
    return { log: Number(row.log), events: Number(row.events) };
  }

  it('writes concurrent polls in one transaction; a poll whose claim lost writes nothing', async () => {
    const [a, lost, c] = await fixture.trackedAccounts(3);
    // another worker already handled the lost account's due time
    const movedTo = await fixture.loseClaim(lost);

    const outcomes = await Promise.all([
      fixture.writer.recordPoll(a, found([post(a, '1', 'First.'), post(a, '2', 'Second.')])),
      fixture.writer.recordPoll(lost, found([post(lost, '1', 'Never written.')])),
      fixture.writer.recordPoll(c, found([post(c, '1', 'Third.')])),
    ]);
    expect(outcomes).toEqual(['captured', 'stale', 'captured']);
    expect(await versionsOf(a.account.id)).toEqual([
      { external_id: '1', number: 1, text: 'First.' },
      { external_id: '2', number: 1, text: 'Second.' },
    ]);
    expect(await versionsOf(c.account.id)).toEqual([{ external_id: '1', number: 1, text: 'Third.' }]);
    expect(await pendingOf(a.account.id)).toEqual({ log: 2, events: 2 });
    expect(await pendingOf(c.account.id)).toEqual({ log: 1, events: 1 });
    expect(await runsOf(a.account.id)).toEqual([
      { outcome: 'captured', polls: 1, posts_seen: 2, versions_new: 2, error_code: null, error: null },
    ]);
    // one transaction wrote both polls: the rows it wrote carry its transaction id (the statements that of
    // the savepoint they were written under, one for the whole batch too)
    const transactionsOf = async (rows: string) => {
      const [{ count }]: { count: string }[] = await fixture.db.query(
        `SELECT count(DISTINCT xmin::text) AS count FROM (${rows}) rows`,
        [[a.account.id, c.account.id]],
      );
      return Number(count);
    };
    expect(
      await transactionsOf(
        `SELECT xmin FROM capture_runs WHERE account_id = ANY($1::uuid[])
         UNION ALL SELECT xmin FROM accounts WHERE id = ANY($1::uuid[])`,
      ),
    ).toBe(1);
    expect(await transactionsOf(`SELECT xmin FROM statements WHERE account_id = ANY($1::uuid[])`)).toBe(1);

    expect(await versionsOf(lost.account.id)).toEqual([]);
    expect(await runsOf(lost.account.id)).toEqual([]);
    const [untouched]: { next_poll_at: Date; last_poll_status: string }[] = await fixture.db.query(
      `SELECT next_poll_at, last_poll_status FROM accounts WHERE id = $1`,
      [lost.account.id],
    );
    expect(untouched).toEqual({ next_poll_at: movedTo, last_poll_status: 'never' });
  });

  it('a poll with more versions than a batch takes is written on its own, beside the batch', async () => {
    const [big, small, alsoSmall] = await fixture.trackedAccounts(3);
    const page = Array.from({ length: FOUND_POLL_BATCH_MAX_VERSIONS + 1 }, (_, i) =>
      post(big, `${i}`, `Post ${i}.`),
    );
    const outcomes = await Promise.all([
      fixture.writer.recordPoll(small, found([post(small, '1', 'Small.')])),
      fixture.writer.recordPoll(big, found(page)),
      fixture.writer.recordPoll(alsoSmall, found([post(alsoSmall, '1', 'Also small.')])),
    ]);
    expect(outcomes).toEqual(['captured', 'captured', 'captured']);
    expect(await versionsOf(big.account.id)).toHaveLength(FOUND_POLL_BATCH_MAX_VERSIONS + 1);
    expect(await pendingOf(big.account.id)).toEqual({
      log: FOUND_POLL_BATCH_MAX_VERSIONS + 1,
      events: FOUND_POLL_BATCH_MAX_VERSIONS + 1,
    });
    const transactionOf = async (id: string) => {
      const [{ xmin }]: { xmin: string }[] = await fixture.db.query(
        `SELECT xmin::text FROM capture_runs WHERE account_id = $1`,
        [id],
      );
      return xmin;
    };
    // the two small polls share a transaction, the big one has its own
    expect(await transactionOf(small.account.id)).toBe(await transactionOf(alsoSmall.account.id));
    expect(await transactionOf(big.account.id)).not.toBe(await transactionOf(small.account.id));
  });

  it('a poll that finds posts clears the account’s deferral, in a batch or on its own', async () => {
    const [big, small] = await fixture.trackedAccounts(2);
    await fixture.db.query(
      `UPDATE accounts SET deferred_since = now() - interval '1 hour' WHERE id = ANY($1)`,
      [[big.account.id, small.account.id]],
    );
    const page = Array.from({ length: FOUND_POLL_BATCH_MAX_VERSIONS + 1 }, (_, i) =>
      post(big, `${i}`, `Post ${i}.`),
    );
    expect(
      await Promise.all([
        fixture.writer.recordPoll(small, found([post(small, '1', 'Small.')])),
        fixture.writer.recordPoll(big, found(page)),
      ]),
    ).toEqual(['captured', 'captured']);
    const marks: { deferred_since: Date | null }[] = await fixture.db.query(
      `SELECT deferred_since FROM accounts WHERE id = ANY($1)`,
      [[big.account.id, small.account.id]],
    );
    expect(marks).toEqual([{ deferred_since: null }, { deferred_since: null }]);
  });

  it('a page of more than a thousand posts sharing one body is written whole, its body stored once', async () => {
    const work = await fixture.trackedAccount();
    const body = Buffer.from('{"page":"one body for every post"}');
    const page = Array.from({ length: 2_100 }, (_, i) => ({
      ...post(work, `${i}`, `Post ${i}.`),
      artifacts: [{ role: 'response', mediaType: 'application/json', bytes: body }],
    }));
    expect(await fixture.writer.recordPoll(work, found(page))).toBe('captured');
    expect(await versionsOf(work.account.id)).toHaveLength(2_100);
    expect(await pendingOf(work.account.id)).toEqual({ log: 2_100, events: 2_100 });
    const [{ links, bodies }]: { links: string; bodies: string }[] = await fixture.db.query(
      `SELECT count(*) AS links, count(DISTINCT va.sha256) AS bodies
       FROM version_artifacts va JOIN statements s ON s.id = va.statement_id WHERE s.account_id = $1`,
      [work.account.id],
    );
    expect({ links: Number(links), bodies: Number(bodies) }).toEqual({ links: 2_100, bodies: 1 });
    const [{ latest }]: { latest: string }[] = await fixture.db.query(
      `SELECT count(*) AS latest FROM statements WHERE account_id = $1 AND latest_version = 1 AND latest_text LIKE 'Post %'`,
      [work.account.id],
    );
    expect(Number(latest)).toBe(2_100);
  });

  it('two jobs of the same due time in one batch write once: one captured, the other stale', async () => {
    const work = await fixture.trackedAccount();
    const outcomes = await Promise.all([
      fixture.writer.recordPoll(work, found([post(work, '1', 'Once.')])),
      fixture.writer.recordPoll({ ...work, startedAt: new Date() }, found([post(work, '1', 'Once.')])),
    ]);
    expect([...outcomes].sort()).toEqual(['captured', 'stale']);
    expect(await versionsOf(work.account.id)).toEqual([{ external_id: '1', number: 1, text: 'Once.' }]);
    expect(await pendingOf(work.account.id)).toEqual({ log: 1, events: 1 });
    expect(await runsOf(work.account.id)).toHaveLength(1);
  });

  it('a post the database refuses costs only that post: the batch keeps every other poll and post', async () => {
    const [good, verbose, alsoGood] = await fixture.trackedAccounts(3);
    // over a million distinct words: its full-text vector exceeds what PostgreSQL can hold (error class 54)
    const words = Array.from({ length: 160_000 }, (_, i) => `w${i.toString(36)}x${(i * 7919).toString(36)}`);
    const outcomes = await Promise.all([
      fixture.writer.recordPoll(good, found([post(good, '1', 'Fine.')])),
      fixture.writer.recordPoll(
        verbose,
        found([post(verbose, '1', 'Short and fine.'), post(verbose, '2', words.join(' '))]),
      ),
      fixture.writer.recordPoll(alsoGood, found([post(alsoGood, '1', 'Also fine.')])),
    ]);
    expect(outcomes).toEqual(['captured', 'captured', 'captured']);
    for (const work of [good, alsoGood]) {
      expect(await versionsOf(work.account.id)).toHaveLength(1);
      expect(await runsOf(work.account.id)).toEqual([
        { outcome: 'captured', polls: 1, posts_seen: 1, versions_new: 1, error_code: null, error: null },
      ]);
    }
    expect(await versionsOf(verbose.account.id)).toEqual([
      { external_id: '1', number: 1, text: 'Short and fine.' },
    ]);
    expect(await pendingOf(verbose.account.id)).toEqual({ log: 1, events: 1 });
    const [run] = await runsOf(verbose.account.id);
    expect(run).toMatchObject({ outcome: 'captured', posts_seen: 2, versions_new: 1 });
    expect(run.error_code).toBe('source-invalid-response');
    expect(run.error).toMatch(/^1 post\(s\) could not be stored and were skipped: 2: .*tsvector/);
  });

  it('a batch the database refuses as a whole is written poll by poll: the bad poll is a recorded failure', async () => {
    const [good, bad, alsoGood] = await fixture.trackedAccounts(3);
    // PostgreSQL's jsonb cannot hold U+0000: this cursor fails the batch's claims statement
    const outcomes = await Promise.all([
      fixture.writer.recordPoll(good, found([post(good, '1', 'Fine.')])),
      fixture.writer.recordPoll(bad, found([post(bad, '1', 'Lost with its poll.')], { sinceId: 'a\u0000b' })),
      fixture.writer.recordPoll(alsoGood, found([post(alsoGood, '1', 'Also fine.')])),
    ]);
    expect(outcomes).toEqual(['captured', 'failed', 'captured']);
    for (const work of [good, alsoGood]) expect(await versionsOf(work.account.id)).toHaveLength(1);
    expect(await versionsOf(bad.account.id)).toEqual([]);
    expect(await runsOf(bad.account.id)).toEqual([
      {
        outcome: 'failed',
        polls: 1,
        posts_seen: 0,
        versions_new: 0,
        error_code: 'source-invalid-response',
        error: expect.stringContaining('could not store what the source sent') as string,
      },
    ]);
  });

  it('a replayed batch writes nothing new; a poll whose posts are all held is unchanged and extends its run', async () => {
    const work = await fixture.trackedAccount();
    expect(await fixture.writer.recordPoll(work, found([post(work, '1', 'Held.')]))).toBe('captured');
    // the replay of the same job: its due time is handled
    expect(await fixture.writer.recordPoll(work, found([post(work, '1', 'Held.')]))).toBe('stale');
    const [{ next_poll_at: due }]: { next_poll_at: Date }[] = await fixture.db.query(
      `SELECT next_poll_at FROM accounts WHERE id = $1`,
      [work.account.id],
    );
    // the next two rounds see the same post again
    for (let round = 0; round < 2; round++) {
      const [{ next_poll_at }]: { next_poll_at: Date }[] = await fixture.db.query(
        `SELECT next_poll_at FROM accounts WHERE id = $1`,
        [work.account.id],
      );
      const next = { ...work, due: next_poll_at, startedAt: new Date() };
      expect(await fixture.writer.recordPoll(next, found([post(work, '1', 'Held.')]))).toBe('unchanged');
    }
    expect(due.getTime()).toBeGreaterThan(DUE.getTime());
    expect(await versionsOf(work.account.id)).toHaveLength(1);
    expect(await pendingOf(work.account.id)).toEqual({ log: 1, events: 1 });
    expect((await runsOf(work.account.id)).map((r) => [r.outcome, r.polls])).toEqual([
      ['captured', 1],
      ['unchanged', 2],
    ]);
  });
});
