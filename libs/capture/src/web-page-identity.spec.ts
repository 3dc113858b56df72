import { writeCaptures } from '@app/persistence';
import { type FetchedPost, type PollResult } from '@app/sources';
import { useCaptureWriter } from '@app/testing/capture-writer-fixture';
import { statementContent } from '@app/testing/statement-content';
import { type PollWork } from './capture-work';
import { preparePosts } from './prepare-posts';

/**
 * A web page is one statement whichever account's poll found it: two list pages polled together (one batch, one
 * `writeCaptures`) that both link a new release write it once (on a real database).
 */
describe('CaptureWriter: a web page found by two polls of one batch', () => {
  const DUE = new Date('2030-01-01T00:00:00.000Z');
  const fixture = useCaptureWriter(DUE);
  const PAGE = 'https://mfa.example/en/news/42-statement';

  function page(work: PollWork, text: string): FetchedPost {
    return {
      content: statementContent(PAGE, {
        platform: 'web',
        account: work.account.handle,
        url: PAGE,
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
    cursor: {},
  });

  it('writes the page once, under the first poll’s account, and counts it seen by both (one batch or two)', async () => {
    const [first, second] = await fixture.trackedAccounts(2);
    const outcomes = await Promise.all([
      fixture.writer.recordPoll(first, found([page(first, 'The talks are postponed.')])),
      fixture.writer.recordPoll(second, found([page(second, 'The talks are postponed.')])),
    ]);
    expect(outcomes).toEqual(['captured', 'unchanged']);
    const statements: { id: string; account_id: string; versions: number; account: string }[] =
      await fixture.db.query(
        `SELECT s.id, s.account_id, count(v.*)::int AS versions, max(v.record->>'account') AS account
         FROM statements s JOIN versions v ON v.statement_id = s.id
         WHERE s.platform = 'web' AND s.external_id = $1 GROUP BY s.id`,
        [PAGE],
      );
    expect(statements).toEqual([
      { id: expect.any(String), account_id: first.account.id, versions: 1, account: first.account.handle },
    ]);
    const runs: { account_id: string; posts_seen: number; versions_new: number }[] = await fixture.db.query(
      `SELECT account_id, posts_seen, versions_new FROM capture_runs WHERE account_id = ANY($1::uuid[])`,
      [[first.account.id, second.account.id]],
    );
    expect(
      runs.sort((a, b) =>
        a.account_id === first.account.id ? -1 : b.account_id === first.account.id ? 1 : 0,
      ),
    ).toEqual([
      { account_id: first.account.id, posts_seen: 1, versions_new: 1 },
      { account_id: second.account.id, posts_seen: 1, versions_new: 0 },
    ]);
    const [{ events }]: { events: number }[] = await fixture.db.query(
      `SELECT count(*)::int AS events FROM events WHERE statement_id = $1`,
      [statements[0].id],
    );
    expect(events).toBe(1);
  });

  it('places a page two sets of one write bring on the first set’s statement, written once', async () => {
    const [first, second] = await fixture.trackedAccounts(2);
    const url = 'https://mfa.example/en/news/44-statement';
    const set = async (work: PollWork) => {
      const post = page(work, 'Talks in Geneva.');
      const { posts } = await preparePosts([{ ...post, content: { ...post.content, postId: url, url } }]);
      return { accountId: work.account.id, capturedAt: new Date(), posts };
    };
    const sets = [await set(first), await set(second)];
    const written = await fixture.db.transaction((tx) => writeCaptures(tx, sets, 'test'));
    expect(written.map((w) => [w.postsNew, w.versionsNew])).toEqual([
      [1, 1],
      [0, 0],
    ]);
    expect(written[1].statementIds).toEqual(written[0].statementIds);
    const rows: { account_id: string }[] = await fixture.db.query(
      `SELECT account_id FROM statements WHERE platform = 'web' AND external_id = $1`,
      [url],
    );
    expect(rows).toEqual([{ account_id: first.account.id }]);
  });

  it('serialises two writes capturing one new page at once: the second finds the first’s statement', async () => {
    const [first, second] = await fixture.trackedAccounts(2);
    const url = 'https://mfa.example/en/news/43-statement';
    const set = async (work: PollWork) => {
      const { posts } = await preparePosts([
        {
          ...page(work, 'Talks resume.'),
          content: { ...page(work, 'Talks resume.').content, postId: url, url },
        },
      ]);
      return { accountId: work.account.id, capturedAt: new Date(), posts };
    };
    const [a, b] = [await set(first), await set(second)];
    const one = fixture.db.createQueryRunner();
    const two = fixture.db.createQueryRunner();
    try {
      await one.startTransaction();
      await two.startTransaction();
      await writeCaptures(one.manager, [a], 'test');
      let secondDone = false;
      const writing = writeCaptures(two.manager, [b], 'test').then((written) => {
        secondDone = true;
        return written;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      // the second waits for the first's page lock, not writing a statement of its own
      expect(secondDone).toBe(false);
      await one.commitTransaction();
      const [written] = await writing;
      await two.commitTransaction();
      expect(written).toMatchObject({ postsSeen: 1, postsNew: 0, versionsNew: 0 });
    } finally {
      await one.release();
      await two.release();
    }
    const rows: { account_id: string }[] = await fixture.db.query(
      `SELECT account_id FROM statements WHERE platform = 'web' AND external_id = $1`,
      [url],
    );
    expect(rows).toEqual([{ account_id: first.account.id }]);
  });
});
