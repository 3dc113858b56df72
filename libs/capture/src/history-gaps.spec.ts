import { type DataSource } from 'typeorm';
import { createDataSource, writeCaptures } from '@app/persistence';
import { statementContent } from '@app/testing/statement-content';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { preparePosts, type FoundPost } from './prepare-posts';

/** Where the note of an incomplete edit history is written, on a real database. */
describe('history gaps: the version that carries the note (real database)', () => {
  let env: TestEnvironment;
  let db: DataSource;
  let accountId: string;

  beforeAll(async () => {
    env = await createTestEnvironment();
    db = createDataSource(env.databaseUrl, { poolSize: 2 });
    await db.initialize();
    [{ id: accountId }] = await db.query(
      `INSERT INTO accounts (platform, handle, external_id, profile_url, source_url, tracking, poll_interval_seconds,
                             next_poll_at)
       VALUES ('mastodon', 'mfa@diplo.example', '1', 'https://diplo.example/@mfa', 'https://diplo.example', true, 300,
               now() + interval '1 hour')
       RETURNING id`,
    );
  });
  afterAll(async () => {
    await db?.destroy();
    await env?.destroy();
  });

  const content = (postId: string, text: string) => statementContent(postId, { text });

  /** One sighting of the post written as a capture would write it. */
  async function sight(postId: string, text: string, history?: FoundPost['history']): Promise<string> {
    const { posts } = await preparePosts([
      { content: content(postId, text), artifacts: [], evidenceLevel: 'captured', history },
    ]);
    const [written] = await db.transaction((tx) =>
      writeCaptures(tx, [{ accountId, capturedAt: new Date(), posts }], 'test.example/log'),
    );
    return written.statementIds[0];
  }

  /** A history of B and C read with D, the edits between B and C left out. */
  const cutShort = (postId: string): FoundPost['history'] => ({
    kind: 'read',
    versions: [
      { content: content(postId, 'B'), artifacts: [] },
      { content: content(postId, 'C'), artifacts: [] },
    ],
    truncated: '7 of 9 missed edits left out',
    truncatedAfter: 0,
  });

  async function versions(statementId: string): Promise<[number, string, string | null][]> {
    const rows: { number: number; text: string; kind: string | null }[] = await db.query(
      `SELECT v.number, v.record->>'text' AS text, g.kind
       FROM versions v LEFT JOIN version_history_gaps g
         ON g.statement_id = v.statement_id AND g.version_number = v.number
       WHERE v.statement_id = $1 ORDER BY v.number`,
      [statementId],
    );
    return rows.map((r) => [r.number, r.text, r.kind]);
  }

  it('is the first version after the edits left out', async () => {
    await sight('201', 'A');
    const id = await sight('201', 'D', cutShort('201'));
    expect(await versions(id)).toEqual([
      [1, 'A', null],
      [2, 'B', null],
      [3, 'C', 'cut-short'],
      [4, 'D', null],
    ]);
  });

  it('is the newest version written when we hold that one already', async () => {
    await sight('202', 'A');
    // C read by us before the history showed it
    await sight('202', 'C');
    const id = await sight('202', 'D', cutShort('202'));
    expect(await versions(id)).toEqual([
      [1, 'A', null],
      [2, 'C', null],
      [3, 'B', null],
      [4, 'D', 'cut-short'],
    ]);
  });

  it('is the version captured with a history that was not read', async () => {
    await sight('203', 'A');
    const id = await sight('203', 'D', { kind: 'failed', detail: 'HTTP 500' });
    expect(await versions(id)).toEqual([
      [1, 'A', null],
      [2, 'D', 'not-read'],
    ]);
  });
});
