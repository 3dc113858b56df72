import { getQueueToken } from '@nestjs/bullmq';
import { type Queue } from 'bullmq';
import { QueueName } from '@app/queues';
import { PollAccountUseCase } from '@app/worker/poll/poll-account.use-case';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { type FakeX, KULEBA_STATEMENT_TEXT, kulebaXPost, startFakeX } from '@app/testing/fake-x';
import { startTestApp, waitFor, type TestApp } from './support/app';

interface StatementView {
  id: string;
  status: string;
  url: string;
  versions: {
    number: number;
    text: string;
    record: { postId: string; via?: string; platform: string };
    artifacts: { role: string; sha256: string }[];
  }[];
  observations: { status: string; httpStatus: number | null }[];
}
interface AccountView {
  id: string;
  platform: string;
  handle: string;
  lastPollStatus: string;
  lastError: string | null;
  lastErrorCode: string | null;
  nextPollAt: string | null;
  reads: { month: string; used: number; budget: number | null };
}

const BUDGET = 500;

/** X through its v2 API with a token (tracking, edits, deletions, the read budget) against a fake X on loopback. */
/** Asks for a capture of `url` and waits for the request to finish: its final state. */
async function captureOnDemand(app: TestApp, url: string): Promise<string> {
  const request = await app.write('post', '/api/v1/captures').send({ url }).expect(202);
  const done = await waitFor('the capture', async () => {
    const res = await app.http().get(`/api/v1/captures/${request.body.jobId}`).expect(200);
    return res.body.state === 'queued' ? undefined : (res.body.state as string);
  });
  return done;
}

describe('X with a token', () => {
  let env: TestEnvironment;
  let x: FakeX;
  let app: TestApp;
  let accountId: string;

  beforeAll(async () => {
    env = await createTestEnvironment();
    x = await startFakeX();
    x.addUser({ username: 'MFA_Ukraine', name: 'MFA of Ukraine' });
    x.publish('MFA_Ukraine', { text: 'Statement on the grain corridor & shipping.' });
    app = await startTestApp(
      env.config({
        VERBATIM_X_API_BASE_URL: x.origin,
        VERBATIM_X_BEARER_TOKEN: x.token,
        VERBATIM_X_SYNDICATION_BASE_URL: x.origin,
        VERBATIM_X_OEMBED_BASE_URL: x.origin,
        VERBATIM_X_MONTHLY_READ_BUDGET: String(BUDGET),
        VERBATIM_RECHECK_MIN_SECONDS: '1',
        VERBATIM_RECHECK_MAX_SECONDS: '1',
        VERBATIM_DELETION_CONFIRM_SECONDS: '1',
      }),
    );
  });

  afterAll(async () => {
    await app?.close();
    await x?.close();
    await env?.destroy();
  });

  const statementOf = async (postId: string): Promise<StatementView | undefined> => {
    const [row]: { id: string }[] = await app.db.query(`SELECT id FROM statements WHERE external_id = $1`, [
      postId,
    ]);
    return row && ((await app.http().get(`/api/v1/statements/${row.id}`).expect(200)).body as StatementView);
  };
  const account = async () =>
    (await app.http().get(`/api/v1/accounts/${accountId}`).expect(200)).body as AccountView;

  it('tracks the URL a person copies from x.com, whatever the API base URL', async () => {
    const res = await app
      .write('post', '/api/v1/accounts')
      .send({ url: 'https://x.com/MFA_Ukraine', pollIntervalSeconds: 1 })
      .expect(201);
    expect(res.body).toMatchObject({
      platform: 'x',
      handle: 'MFA_Ukraine',
      url: 'https://x.com/MFA_Ukraine',
    });
    accountId = res.body.id;
    expect(x.requestLog[0].path).toBe('/2/users/by/username/MFA_Ukraine');
  });

  it('captures the posts, with the exact response bytes, and counts the reads on the account', async () => {
    const [post] = x.store.tweetsOf(x.store.userByUsername('MFA_Ukraine')!.id);
    const statement = await waitFor('the post', () => statementOf(post.id));
    expect(statement.url).toBe(`https://x.com/MFA_Ukraine/status/${post.id}`);
    expect(statement.versions[0].text).toBe('Statement on the grain corridor & shipping.');
    expect(statement.versions[0].record.platform).toBe('x');
    expect(statement.versions[0].record.via).toBeUndefined();
    const response = statement.versions[0].artifacts.find((a) => a.role === 'response')!;
    const served = await app
      .http()
      .get(`/api/v1/artifacts/${response.sha256}`)
      .responseType('blob')
      .expect(200);
    const sent = x.requestLog.filter((r) => r.path.startsWith('/2/users/') && r.response?.status === 200);
    expect(sent.some((r) => r.response!.body.equals(served.body as Buffer))).toBe(true);
    const view = await account();
    expect(view.reads.used).toBeGreaterThanOrEqual(1);
    expect(view.reads.budget).toBe(BUDGET);
    expect(view.reads.month).toBe(new Date().toISOString().slice(0, 7));
  });

  it('records an edit (a new id in edit_history_tweet_ids) as a new version of the same statement', async () => {
    const original = x.publish('MFA_Ukraine', { text: 'First wording.' });
    await waitFor('the original', () => statementOf(original.id));
    x.edit(original.id, 'Corrected wording.');
    const statement = await waitFor('the edit', async () => {
      const view = await statementOf(original.id);
      return view && view.versions.length === 2 ? view : undefined;
    });
    expect(statement.versions.map((v) => v.text)).toEqual(['First wording.', 'Corrected wording.']);
    expect(statement.versions.every((v) => v.record.postId === original.id)).toBe(true);
    const events: { type: string }[] = await app.db.query(
      `SELECT type FROM events WHERE statement_id = $1 ORDER BY id`,
      [statement.id],
    );
    expect(events.map((e) => e.type)).toEqual(['statement.created', 'statement.edited']);
  });

  it('confirms a deletion from errors[] not-found answers of /2/tweets?ids=', async () => {
    const post = x.publish('MFA_Ukraine', { text: 'A statement that will be deleted.' });
    await waitFor('the post', () => statementOf(post.id));
    x.remove(post.id);
    const statement = await waitFor(
      'deleted',
      async () => {
        const view = await statementOf(post.id);
        return view?.status === 'deleted' ? view : undefined;
      },
      20_000,
    );
    expect(statement.observations.map((o) => [o.status, o.httpStatus])).toEqual([
      ['missing', 200],
      ['deleted', 200],
    ]);
  });

  it('confirms a deletion from 404 answers when the lookup is asked one post at a time', async () => {
    const post = x.publish('MFA_Ukraine', { text: 'Another statement that will be deleted.' });
    await waitFor('the post', () => statementOf(post.id));
    x.fail({ mode: 'not-found', exactPath: '/2/tweets' });
    x.remove(post.id);
    const statement = await waitFor(
      'deleted',
      async () => {
        const view = await statementOf(post.id);
        return view?.status === 'deleted' ? view : undefined;
      },
      20_000,
    );
    expect(statement.observations.map((o) => [o.status, o.httpStatus])).toEqual([
      ['missing', 404],
      ['deleted', 404],
    ]);
    expect(x.requestLog.some((r) => r.path.startsWith(`/2/tweets/${post.id}?`))).toBe(true);
    x.clearFailures();
  });

  it('counts the read an on-demand capture takes on the account it stores the post under', async () => {
    const post = kulebaXPost(x);
    const url = `https://x.com/DmytroKuleba/status/${post.id}`;
    expect(await captureOnDemand(app, url)).toBe('completed');
    expect(x.requestLog.filter((r) => r.path.startsWith(`/2/tweets/${post.id}?`))).toHaveLength(1);
    const [kuleba]: { reads_this_month: number; reads_month: string; tracking: boolean }[] =
      await app.db.query(
        `SELECT reads_this_month, reads_month, tracking FROM accounts WHERE platform = 'x' AND handle = 'DmytroKuleba'`,
      );
    expect(kuleba).toEqual({
      reads_this_month: 1,
      reads_month: new Date().toISOString().slice(0, 7),
      tracking: false,
    });
  });

  it('stops polling once the monthly read budget is used up, with the reason recorded', async () => {
    await app.write('patch', `/api/v1/accounts/${accountId}`).send({ pollIntervalSeconds: 3600 }).expect(200);
    // every poll job the scheduler made has finished: none can read the timeline between the counts below
    const queue = app.app.get<Queue>(getQueueToken(QueueName.Poll));
    await waitFor('no poll job in flight', async () => {
      const counts = await queue.getJobCounts('active', 'waiting', 'delayed', 'prioritized');
      return Object.values(counts).every((n) => n === 0) ? true : undefined;
    });
    // the account's timeline, not the batch lookups rechecks make (/2/tweets?ids=)
    const timelineRead = (path: string) => path.startsWith('/2/users/') && path.includes('/tweets?');
    const month = new Date().toISOString().slice(0, 7);
    const [[row]]: [{ next_poll_at: Date }[]] = await app.db.query(
      `UPDATE accounts SET reads_this_month = $2, reads_month = $3, next_poll_at = now() WHERE id = $1 RETURNING next_poll_at`,
      [accountId, BUDGET, month],
    );
    const timelineReads = x.requestLog.filter((r) => timelineRead(r.path)).length;
    const outcome = await app.app
      .get(PollAccountUseCase)
      .execute({ accountId, dueAt: row.next_poll_at.toISOString() });
    expect(outcome).toBe('failed');
    expect(x.requestLog.filter((r) => timelineRead(r.path)).length).toBe(timelineReads);
    const view = await account();
    expect(view.lastErrorCode).toBe('source-read-budget-exhausted');
    expect(view.lastError).toContain(`${BUDGET} of ${BUDGET} reads in ${month}`);
    expect(view.lastError).toContain('VERBATIM_X_MONTHLY_READ_BUDGET');
    const now = new Date();
    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    expect(view.nextPollAt).toBe(nextMonth.toISOString());
    const [run]: { outcome: string; error_code: string }[] = await app.db.query(
      `SELECT outcome, error_code FROM capture_runs WHERE account_id = $1 ORDER BY id DESC LIMIT 1`,
      [accountId],
    );
    expect(run).toEqual({ outcome: 'failed', error_code: 'source-read-budget-exhausted' });
  });
});

/** X without a token: no tracking (a 400 that says why), single posts through the public embed endpoints. */
describe('X without a token', () => {
  let env: TestEnvironment;
  let x: FakeX;
  let app: TestApp;

  beforeAll(async () => {
    env = await createTestEnvironment();
    x = await startFakeX();
    app = await startTestApp(
      env.config({
        VERBATIM_X_API_BASE_URL: x.origin,
        VERBATIM_X_SYNDICATION_BASE_URL: x.origin,
        VERBATIM_X_OEMBED_BASE_URL: x.origin,
      }),
    );
  });

  afterAll(async () => {
    await app?.close();
    await x?.close();
    await env?.destroy();
  });

  it('answers 400 to tracking an X account, saying a token is needed', async () => {
    for (const url of ['https://x.com/DmytroKuleba', 'https://twitter.com/DmytroKuleba']) {
      const res = await app.write('post', '/api/v1/accounts').send({ url }).expect(400);
      expect(res.body.message).toContain('tracking an X account needs an X API token');
      expect(res.body.message).toContain('VERBATIM_X_BEARER_TOKEN');
    }
    expect(x.requestLog).toHaveLength(0);
  });

  it('captures a single post through syndication, and the record says so', async () => {
    const post = kulebaXPost(x);
    const url = `https://x.com/DmytroKuleba/status/${post.id}`;
    expect(await captureOnDemand(app, url)).toBe('completed');
    const [row]: { id: string }[] = await app.db.query(`SELECT id FROM statements WHERE external_id = $1`, [
      post.id,
    ]);
    const statement = (await app.http().get(`/api/v1/statements/${row.id}`).expect(200))
      .body as StatementView;
    expect(statement.versions[0].text).toBe(KULEBA_STATEMENT_TEXT);
    expect(statement.versions[0].record).toMatchObject({ platform: 'x', via: 'x-syndication' });
    expect(x.requestLog.map((r) => r.path.split('?')[0])).toEqual(['/tweet-result']);
  });
});
