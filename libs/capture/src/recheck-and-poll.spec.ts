import { QueryFailedError } from 'typeorm';
import { recheckSoon } from '@app/persistence';
import { type FetchedPost, type PollResult, type PostAnswer } from '@app/sources';
import { useCaptureWriter } from '@app/testing/capture-writer-fixture';
import { statementContent } from '@app/testing/statement-content';
import { waitFor } from '@app/testing/wait-for';
import { type PollWork, type RecheckOutcome, type RecheckWork } from './capture-work';

/**
 * A recheck and a poll writing the same statements at once (on a real database). Both lock the account row
 * first, then the statements in one order (account, then post id), so one waits for the other and neither waits
 * on the other in turn: no deadlock (40P01), and the versions both write to a statement are numbered one after the
 * other. A poll batch that lost a deadlock is written again poll by poll and still commits, so the writer's
 * transactions are watched: none may fail.
 */
describe('CaptureWriter: a recheck and a poll writing the same statements at once', () => {
  const DUE = new Date('2030-01-01T00:00:00.000Z');
  const fixture = useCaptureWriter(DUE);
  /** recent enough that every statement stays on the recheck schedule */
  const AUTHORED = new Date(Date.now() - 3_600_000).toISOString();

  function post(handle: string, postId: string, text: string): FetchedPost {
    const body = Buffer.from(JSON.stringify({ id: postId, content: text }));
    return {
      content: statementContent(postId, {
        account: handle,
        url: `https://diplo.example/@${handle}/${postId}`,
        authoredAt: AUTHORED,
        text,
      }),
      artifacts: [{ role: 'response', mediaType: 'application/json', bytes: body }],
      evidenceLevel: 'captured',
    };
  }

  /** A press release: one statement whichever account's poll finds it (see `placeSightings`). */
  function page(handle: string, url: string, text: string): FetchedPost {
    return {
      content: statementContent(url, {
        platform: 'web',
        account: handle,
        url,
        authoredAt: AUTHORED,
        title: 'Statement',
        text,
        parserVersion: 'web/1',
      }),
      artifacts: [{ role: 'page', mediaType: 'text/html', bytes: Buffer.from(`<p>${text}</p>`) }],
      evidenceLevel: 'captured',
    };
  }

  const found = (posts: FetchedPost[]): PollResult<unknown> => ({
    kind: 'posts',
    httpStatus: 200,
    posts,
    cursor: { sinceId: '42' },
  });

  /** The poll job the scheduler would make now for the account of `work`: at the account's own due time. */
  async function pollNow(work: PollWork): Promise<PollWork> {
    const [{ next_poll_at: due }]: { next_poll_at: Date }[] = await fixture.db.query(
      `SELECT next_poll_at FROM accounts WHERE id = $1`,
      [work.account.id],
    );
    return { ...work, due, startedAt: new Date() };
  }

  /** The recheck job the scheduler would make now for these statements: each at its own due time. */
  async function recheckNow(work: PollWork, statementIds: string[]): Promise<RecheckWork> {
    const rows: { id: string; next_check_at: Date }[] = await fixture.db.query(
      `SELECT id, next_check_at FROM statements WHERE id = ANY($1)`,
      [statementIds],
    );
    const due = new Map(rows.map((r) => [r.id, r.next_check_at]));
    return {
      account: work.account,
      statements: statementIds.map((id) => ({ id, dueAt: due.get(id)! })),
      startedAt: new Date(),
    };
  }

  async function statementIds(accountId: string): Promise<Map<string, string>> {
    const rows: { id: string; external_id: string }[] = await fixture.db.query(
      `SELECT id, external_id FROM statements WHERE account_id = $1`,
      [accountId],
    );
    return new Map(rows.map((r) => [r.external_id, r.id]));
  }

  function describeError(error: unknown): string {
    if (error instanceof QueryFailedError)
      return `${(error.driverError as { code?: string }).code}: ${error.message}`;
    return String(error);
  }

  /** What a settled write came to: its outcome, or its error's SQLSTATE and message. */
  function outcomeOf<T>(settled: PromiseSettledResult<T>): T | string {
    return settled.status === 'fulfilled' ? settled.value : describeError(settled.reason);
  }

  /**
   * Every transaction the writer runs from now on, settled: a deadlock that cost a poll batch its retry poll by
   * poll shows here, though the poll itself then commits.
   */
  function watchTransactions() {
    const transactions = jest.spyOn(fixture.db, 'transaction');
    return {
      async failures(): Promise<string[]> {
        const settled = await Promise.allSettled(
          transactions.mock.results.map((r) => r.value as Promise<unknown>),
        );
        return settled.flatMap((s) => (s.status === 'rejected' ? [describeError(s.reason)] : []));
      },
      count: () => transactions.mock.calls.length,
      restore: () => transactions.mockRestore(),
    };
  }

  /**
   * Makes a recheck and a poll meet mid-write: a third transaction holds the statement `held`, so the recheck stops
   * when it comes to lock that one, holding what it locked before it; only then does the poll start, and it runs
   * until it waits for the recheck. The third transaction then lets go. Resolves with both outcomes, settled.
   */
  async function meetMidWrite<P, R>(
    held: string,
    recheck: () => Promise<R>,
    poll: () => Promise<P>,
  ): Promise<[PromiseSettledResult<P>, PromiseSettledResult<R>]> {
    const blocker = fixture.db.createQueryRunner();
    await blocker.connect();
    try {
      await blocker.startTransaction();
      await blocker.query(`SELECT 1 FROM statements WHERE id = $1 FOR UPDATE`, [held]);
      const [{ pid }]: { pid: number }[] = await blocker.query(`SELECT pg_backend_pid() AS pid`);
      const waitingFor = async (holder: number): Promise<number[]> => {
        const rows: { pid: number }[] = await fixture.db.query(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND $1 = ANY(pg_blocking_pids(pid))`,
          [holder],
        );
        return rows.map((r) => r.pid);
      };
      const rechecked = settle(recheck());
      const [recheckPid] = await waitFor('the recheck to wait for the held statement', async () => {
        const pids = await waitingFor(pid);
        return pids.length > 0 && pids;
      });
      const polled = settle(poll());
      await waitFor(
        'the poll to wait for the recheck',
        async () => (await waitingFor(recheckPid)).length > 0,
      );
      await blocker.commitTransaction();
      return [await polled, await rechecked];
    } finally {
      if (blocker.isTransactionActive) await blocker.rollbackTransaction();
      await blocker.release();
    }
  }

  function settle<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
    return promise.then(
      (value) => ({ status: 'fulfilled', value }),
      (reason: unknown) => ({ status: 'rejected', reason }),
    );
  }

  /** A statement's versions, oldest first, and whether its row names the newest of them. */
  async function versionsOf(statementId: string) {
    const versions: { number: number; text: string }[] = await fixture.db.query(
      `SELECT number, record->>'text' AS text FROM versions WHERE statement_id = $1 ORDER BY number`,
      [statementId],
    );
    const [row]: { latest_version: number; latest_text: string }[] = await fixture.db.query(
      `SELECT latest_version, latest_text FROM statements WHERE id = $1`,
      [statementId],
    );
    const newest = versions[versions.length - 1];
    return {
      numbers: versions.map((v) => v.number),
      texts: versions.map((v) => v.text),
      rowNamesNewest: row.latest_version === newest.number && row.latest_text === newest.text,
    };
  }

  /** 1, 2, …, count */
  const numbered = (count: number) => Array.from({ length: count }, (_, i) => i + 1);

  describe('of one account', () => {
    /** the statements each recheck claims, in lock order: the poll writes EDITED too, LAST is locked last */
    const RECHECKED = ['p1', 'p2', 'p3', 'p4'];
    const EDITED = 'p2';
    const LAST = 'p4';
    const original = (postId: string) => `Post ${postId}.`;
    /** each round: a version of EDITED by each, and LAST seen missing or back */
    const recheckOutcome: RecheckOutcome = { checked: RECHECKED.length, versionsNew: 1, observations: 1 };

    /**
     * An account polled once, holding RECHECKED. Round `n`'s poll finds an edit of EDITED and a new post; its
     * recheck finds every post, EDITED edited otherwise, except LAST, missing in odd rounds and back in even ones.
     */
    async function account() {
      const first = await fixture.trackedAccount();
      const handle = first.account.handle;
      const polled = await fixture.writer.recordPoll(
        first,
        found(RECHECKED.map((id) => post(handle, id, original(id)))),
      );
      expect(polled).toBe('captured');
      const ids = await statementIds(first.account.id);
      return {
        accountId: first.account.id,
        ids,
        async poll(round: number): Promise<() => Promise<string>> {
          const work = await pollNow(first);
          const result = found([
            post(handle, EDITED, `Edited by poll ${round}.`),
            post(handle, `n${round}`, `New ${round}.`),
          ]);
          return () => fixture.writer.recordPoll(work, result);
        },
        async recheck(round: number): Promise<() => Promise<RecheckOutcome>> {
          const work = await recheckNow(
            first,
            RECHECKED.map((id) => ids.get(id)!),
          );
          const answers = RECHECKED.map((id): PostAnswer => {
            const ref = { postId: id, url: `https://diplo.example/@${handle}/${id}` };
            if (id === LAST && round % 2 === 1) {
              const bytes = Buffer.from('{"error":"Record not found"}');
              return {
                kind: 'not-found',
                ref,
                httpStatus: 404,
                evidence: [{ role: 'response', mediaType: 'application/json', bytes }],
              };
            }
            const text = id === EDITED ? `Edited by recheck ${round}.` : original(id);
            return { kind: 'found', ref, post: post(handle, id, text) };
          });
          return () => fixture.writer.recordRecheck(work, answers);
        },
      };
    }

    /** What `rounds` rounds of both leave, whichever committed first in each. */
    async function expectWritten(
      { accountId, ids }: { accountId: string; ids: Map<string, string> },
      rounds: number,
    ) {
      // the statement both write: one version from each per round, numbered without a gap or a repeat
      const edits = numbered(rounds).flatMap((n) => [`Edited by poll ${n}.`, `Edited by recheck ${n}.`]);
      const edited = await versionsOf(ids.get(EDITED)!);
      expect(edited.numbers).toEqual(numbered(1 + 2 * rounds));
      expect([...edited.texts].sort()).toEqual([original(EDITED), ...edits].sort());
      expect(edited.rowNamesNewest).toBe(true);
      const held = await statementIds(accountId);
      expect(held.size).toBe(RECHECKED.length + rounds);
      for (const [externalId, id] of held) {
        if (externalId === EDITED) continue;
        const text = externalId.startsWith('n') ? `New ${externalId.slice(1)}.` : original(externalId);
        expect({ externalId, ...(await versionsOf(id)) }).toEqual({
          externalId,
          numbers: [1],
          texts: [text],
          rowNamesNewest: true,
        });
      }

      // LAST is missing after an odd round and back after an even one, seen so once a round; the others active
      const statuses: { external_id: string; status: string; missing: boolean }[] = await fixture.db.query(
        `SELECT external_id, status, missing_since IS NOT NULL AS missing FROM statements
         WHERE account_id = $1 AND (status <> 'active' OR missing_since IS NOT NULL)`,
        [accountId],
      );
      expect(statuses).toEqual(
        rounds % 2 === 1 ? [{ external_id: LAST, status: 'missing', missing: true }] : [],
      );
      const observations: { status: string; previous_status: string }[] = await fixture.db.query(
        `SELECT status, previous_status FROM observations WHERE statement_id = $1 ORDER BY observed_at, id`,
        [ids.get(LAST)],
      );
      expect(observations).toEqual(
        numbered(rounds).map((n) =>
          n % 2 === 1
            ? { status: 'missing', previous_status: 'active' }
            : { status: 'active', previous_status: 'missing' },
        ),
      );

      // every version and observation waits for the log once, every version is announced once
      const [counts]: { versions: number; logged: number; announced: number; observed: number }[] =
        await fixture.db.query(
          `SELECT (SELECT count(*)::int FROM versions v JOIN statements s ON s.id = v.statement_id
                   WHERE s.account_id = $1) AS versions,
                  (SELECT count(*)::int FROM log_pending l JOIN statements s ON s.id = l.statement_id
                   WHERE s.account_id = $1 AND l.version_number IS NOT NULL) AS logged,
                  (SELECT count(*)::int FROM events WHERE account_id = $1 AND version_number IS NOT NULL) AS announced,
                  (SELECT count(*)::int FROM log_pending l JOIN observations o ON o.id = l.observation_id
                   WHERE o.account_id = $1) AS observed`,
          [accountId],
        );
      const versions = RECHECKED.length + 3 * rounds;
      expect(counts).toEqual({ versions, logged: versions, announced: versions, observed: rounds });
    }

    it('both commit, without a deadlock, in rounds where both start at once', async () => {
      const rounds = 25;
      const subject = await account();
      const watched = watchTransactions();
      try {
        for (let round = 1; round <= rounds; round++) {
          const poll = await subject.poll(round);
          const recheck = await subject.recheck(round);
          const [polled, rechecked] = await Promise.allSettled([poll(), recheck()]);
          expect({ round, polled: outcomeOf(polled), rechecked: outcomeOf(rechecked) }).toEqual({
            round,
            polled: 'captured',
            rechecked: recheckOutcome,
          });
        }
        expect(await watched.failures()).toEqual([]);
        // one transaction each: no batch was written again poll by poll
        expect(watched.count()).toBe(2 * rounds);
      } finally {
        watched.restore();
      }
      await expectWritten(subject, rounds);
    });

    /**
     * Made to meet every round: the recheck holds the account and the statements before LAST when the poll starts.
     * Were the statements locked before the account, the poll would by then hold the account and wait for EDITED,
     * and the recheck, let go, would wait for the account: a deadlock every round.
     */
    it('both commit, without a deadlock, when the poll starts while the recheck is halfway through its locks', async () => {
      const rounds = 6;
      const subject = await account();
      const watched = watchTransactions();
      try {
        for (let round = 1; round <= rounds; round++) {
          const poll = await subject.poll(round);
          const recheck = await subject.recheck(round);
          const [polled, rechecked] = await meetMidWrite(subject.ids.get(LAST)!, recheck, poll);
          expect({ round, polled: outcomeOf(polled), rechecked: outcomeOf(rechecked) }).toEqual({
            round,
            polled: 'captured',
            rechecked: recheckOutcome,
          });
        }
        expect(await watched.failures()).toEqual([]);
        expect(watched.count()).toBe(2 * rounds);
      } finally {
        watched.restore();
      }
      await expectWritten(subject, rounds);
    });
  });

  /**
   * A poll of one account may write another account's web pages (a list page linking releases a site account
   * holds), so it locks that account's statements without its account row. The recheck of the site must then
   * lock its pages in the order the poll does, by post id: in any other order (such as by statement id) the two
   * could each hold a page the other waits for.
   */
  it('a recheck of a site and a poll of another account writing two of its pages both commit, without a deadlock', async () => {
    const rounds = 5;
    const site = await fixture.trackedAccount();
    const list = await fixture.trackedAccount();
    const url = (n: number) => `https://mfa.example/en/news/${String(n).padStart(3, '0')}`;
    // pages of the site until two of them are in one order by post id and in the other by statement id
    let pair: { first: string; second: string } | undefined;
    for (let n = 1; pair === undefined; n++) {
      const polled = await fixture.writer.recordPoll(
        await pollNow(site),
        found([page(site.account.handle, url(n), `Page ${n}.`)]),
      );
      expect(polled).toBe('captured');
      const [inverted]: { first: string; second: string }[] = await fixture.db.query(
        `SELECT a.external_id AS first, b.external_id AS second FROM statements a
         JOIN statements b ON b.account_id = a.account_id AND a.external_id COLLATE "C" < b.external_id COLLATE "C"
         WHERE a.account_id = $1 AND b.id < a.id LIMIT 1`,
        [site.account.id],
      );
      pair = inverted;
    }
    const pages = [pair.first, pair.second];
    const ids = await statementIds(site.account.id);
    const original = new Map(pages.map((p) => [p, `Page ${Number(p.slice(-3))}.`]));

    const watched = watchTransactions();
    try {
      for (let round = 1; round <= rounds; round++) {
        const pollWork = await pollNow(list);
        const pollResult = found(pages.map((p) => page(list.account.handle, p, `${p} polled ${round}.`)));
        const recheckWork = await recheckNow(
          site,
          pages.map((p) => ids.get(p)!),
        );
        const answers = pages.map((p): PostAnswer => ({
          kind: 'found',
          ref: { postId: p, url: p },
          post: page(site.account.handle, p, `${p} rechecked ${round}.`),
        }));
        const [polled, rechecked] = await meetMidWrite(
          ids.get(pair.second)!,
          () => fixture.writer.recordRecheck(recheckWork, answers),
          () => fixture.writer.recordPoll(pollWork, pollResult),
        );
        expect({ round, polled: outcomeOf(polled), rechecked: outcomeOf(rechecked) }).toEqual({
          round,
          polled: 'captured',
          rechecked: { checked: 2, versionsNew: 2, observations: 0 },
        });
      }
      expect(await watched.failures()).toEqual([]);
      expect(watched.count()).toBe(2 * rounds);
    } finally {
      watched.restore();
    }

    for (const p of pages) {
      const written = await versionsOf(ids.get(p)!);
      const edits = numbered(rounds).flatMap((n) => [`${p} polled ${n}.`, `${p} rechecked ${n}.`]);
      expect(written.numbers).toEqual(numbered(1 + 2 * rounds));
      expect([...written.texts].sort()).toEqual([original.get(p), ...edits].sort());
      expect(written.rowNamesNewest).toBe(true);
    }
    // the list's poll wrote to the site's statements, none of its own
    expect((await statementIds(list.account.id)).size).toBe(0);
  });

  /**
   * A poll whose listing skipped posts we hold brings their rechecks forward (`recheckSoon`): one UPDATE of several
   * statements, which must lock them in the recheck's order whatever order its plan reads them in (a sequential or
   * bitmap scan reads them in table order), or it could hold one the recheck waits for while it waits for another.
   */
  it('a recheck and a poll bringing the rechecks of two of its statements forward both commit, without a deadlock', async () => {
    const work = await fixture.trackedAccount();
    const handle = work.account.handle;
    // posts written one at a time, each named before the last, until the table holds two of them in the opposite
    // of the lock order (table order is insertion order, unless a row lands in space an earlier one left)
    let pair: { first: string; second: string; firstId: string; secondId: string } | undefined;
    for (let n = 99; pair === undefined && n > 0; n--) {
      const polled = await fixture.writer.recordPoll(
        await pollNow(work),
        found([post(handle, `m${n}`, `Post m${n}.`)]),
      );
      expect(polled).toBe('captured');
      [pair] = await fixture.db.query(
        `SELECT a.external_id AS first, b.external_id AS second, a.id AS "firstId", b.id AS "secondId"
         FROM statements a
         JOIN statements b ON b.account_id = a.account_id AND a.external_id COLLATE "C" < b.external_id COLLATE "C"
         WHERE a.account_id = $1 AND a.ctid > b.ctid LIMIT 1`,
        [work.account.id],
      );
    }
    if (pair === undefined) throw new Error('no two statements in the opposite of the lock order');
    const posts = [pair.first, pair.second];
    const recheckWork = await recheckNow(work, [pair.firstId, pair.secondId]);
    const answers = posts.map((id): PostAnswer => ({
      kind: 'found',
      ref: { postId: id, url: `https://diplo.example/@${handle}/${id}` },
      post: post(handle, id, `Post ${id}.`),
    }));
    const broughtForwardTo = new Date();
    const [brought, rechecked] = await meetMidWrite(
      pair.firstId,
      () => fixture.writer.recordRecheck(recheckWork, answers),
      () =>
        fixture.db.transaction(async (tx) => {
          // the statements read in table order, as a plan without the identity index reads them
          await tx.query(`SET LOCAL enable_indexscan = off`);
          await tx.query(`SET LOCAL enable_bitmapscan = off`);
          return recheckSoon(tx, work.account.id, posts, broughtForwardTo);
        }),
    );
    expect({ brought: outcomeOf(brought), rechecked: outcomeOf(rechecked) }).toEqual({
      // the recheck went first and scheduled both later; they are then brought forward
      brought: 2,
      rechecked: { checked: 2, versionsNew: 0, observations: 0 },
    });
    const due: { next_check_at: Date }[] = await fixture.db.query(
      `SELECT next_check_at FROM statements WHERE id = ANY($1)`,
      [[pair.firstId, pair.secondId]],
    );
    expect(due).toEqual([{ next_check_at: broughtForwardTo }, { next_check_at: broughtForwardTo }]);
  });
});
