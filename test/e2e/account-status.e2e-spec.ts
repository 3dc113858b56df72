import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { verifyEvidenceBundle, type EvidenceBundle } from '@app/ledger';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { startTestApp, waitFor, type TestApp } from './support/app';

/** README's defaults: a failing source's first retry after 30 s, doubling, at most an hour apart. */
const RETRY_BASE_SECONDS = 30;
const RETRY_MAX_SECONDS = 3600;
const POLL_INTERVAL_SECONDS = 60;
/**
 * Events are positioned once every older transaction on the server has ended, other test databases' included:
 * a busy server makes webhooks wait longer than the usual 15 s
 */
const OUTBOX_WAIT_MS = 30_000;

interface AccountView {
  id: string;
  tracking: boolean;
  paused: boolean;
  nextPollAt: string | null;
  lastPolledAt: string | null;
  lastPollStatus: string;
  lastError: string | null;
  lastErrorCode: string | null;
  consecutiveFailures: number;
  unavailableSince: string | null;
  unavailableReason: string | null;
}

interface StatementView {
  id: string;
  status: string;
  observations: {
    id: string;
    status: string;
    previousStatus: string;
    httpStatus: number | null;
    artifacts: { role: string }[];
  }[];
}

interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface AccountPayload {
  type: string;
  data: {
    statementId: string;
    account: { id: string; handle: string; platform: string };
    status: string;
    previousStatus?: string;
    reason?: string;
    links: { statement: string; evidence: string; page: string };
  };
}

/** A webhook receiver on 127.0.0.1 that takes everything (204) and keeps it. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * What becomes of an account when its platform stops answering for it, against fake Mastodon instances on
 * loopback. The archive's rule (docs/architecture.md, Failures and Re-reading known posts): a poll that fails,
 * 410 Gone included, is a failure of the source, recorded and retried with a doubling backoff up to
 * VERBATIM_RETRY_MAX_SECONDS, never given up; an account is `unavailable` when re-reading its posts answers that
 * they cannot be read (private, login wall, suspended), which raises `account.unavailable` once, and the first
 * readable answer after raises `account.restored`. Time is let pass by moving the due times in PostgreSQL, the
 * clock the scheduler reads.
 */
describe('account status', () => {
  let env: TestEnvironment;
  let dataDir: string;
  let app: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    env = await createTestEnvironment();
    dataDir = mkdtempSync(join(tmpdir(), 'verbatim-account-status-'));
    receiver = await startReceiver();
    app = await startTestApp(
      env.config({
        VERBATIM_DATA_DIR: dataDir,
        VERBATIM_PUBLIC_URL: 'https://archive.example.org',
        VERBATIM_RETRY_BASE_SECONDS: String(RETRY_BASE_SECONDS),
        VERBATIM_RETRY_MAX_SECONDS: String(RETRY_MAX_SECONDS),
        VERBATIM_CHECKPOINT_INTERVAL_MS: '200',
        // the failing polls are expected: keep their warnings out of the test output
        LOG_LEVEL: 'error',
      }),
    );
  });

  afterAll(async () => {
    await app?.close();
    await receiver?.close();
    await env?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const account = async (id: string) =>
    (await app.http().get(`/api/v1/accounts/${id}`).expect(200)).body as AccountView;
  const statement = async (id: string) =>
    (await app.http().get(`/api/v1/statements/${id}`).expect(200)).body as StatementView;
  const accountEvents = async (accountId: string) =>
    (
      (await app.db.query(
        `SELECT type FROM events WHERE account_id = $1 AND type LIKE 'account.%' ORDER BY id`,
        [accountId],
      )) as { type: string }[]
    ).map((e) => e.type);
  const availability = async (accountId: string) => {
    const [row]: { unavailable_since: Date | null; unavailable_reason: string | null }[] = await app.db.query(
      `SELECT unavailable_since, unavailable_reason FROM accounts WHERE id = $1`,
      [accountId],
    );
    return { since: row.unavailable_since, reason: row.unavailable_reason };
  };
  const statementsOf = async (accountId: string) =>
    (
      (await app.db.query(`SELECT id FROM statements WHERE account_id = $1 ORDER BY external_id`, [
        accountId,
      ])) as { id: string }[]
    ).map((r) => r.id);

  /** Makes the account's next poll due now, as if its wait had passed; returns that moment (the database's clock). */
  async function pollNow(accountId: string): Promise<number> {
    const [{ at }]: { at: Date }[] = await app.db.query(
      `WITH moved AS (UPDATE accounts SET next_poll_at = now() WHERE id = $1 RETURNING id)
       SELECT now() AS at FROM moved`,
      [accountId],
    );
    return at.getTime();
  }

  /** Makes every statement of the account due for a recheck now; returns that moment. */
  async function recheckNow(accountId: string): Promise<Date> {
    const [{ at }]: { at: Date }[] = await app.db.query(
      `WITH moved AS (UPDATE statements SET next_check_at = now() WHERE account_id = $1 RETURNING id)
       SELECT now() AS at FROM moved LIMIT 1`,
      [accountId],
    );
    return at;
  }

  /** Waits until every statement of the account was re-read after `since`. */
  async function rechecked(accountId: string, since: Date): Promise<void> {
    await waitFor('the recheck', async () => {
      const [{ waiting }]: { waiting: string }[] = await app.db.query(
        `SELECT count(*) AS waiting FROM statements
         WHERE account_id = $1 AND (last_checked_at IS NULL OR last_checked_at < $2)`,
        [accountId, since],
      );
      return waiting === '0' ? true : undefined;
    });
  }

  async function track(mastodon: FakeMastodon, username: string, posts: number): Promise<string> {
    const { id } = (
      await app
        .write('post', '/api/v1/accounts')
        .send({ url: `${mastodon.origin}/@${username}`, pollIntervalSeconds: POLL_INTERVAL_SECONDS })
        .expect(201)
    ).body as { id: string };
    await waitFor('the first poll', async () =>
      (await statementsOf(id)).length === posts ? true : undefined,
    );
    return id;
  }

  it('keeps polling a timeline that answers 410 Gone, backing off to the maximum, and picks up again when it answers', async () => {
    const mastodon = await startFakeMastodon();
    try {
      const fake = mastodon.addAccount({ username: 'closed', displayName: 'Closed Ministry' });
      mastodon.publish('closed', { content: '<p>Our last statement.</p>' });
      const id = await track(mastodon, 'closed', 1);
      const [statementId] = await statementsOf(id);
      const timeline = `/api/v1/accounts/${fake.id}/statuses`;
      mastodon.fail({ mode: 'gone', path: timeline });

      // failure after failure, each wait let pass: the next one is the base doubled per failure, never below
      // the account's interval, never above the maximum
      for (let n = 1; n <= 9; n++) {
        const asked = await pollNow(id);
        const failed = await waitFor(`failed poll ${n}`, async () => {
          const view = await account(id);
          return view.consecutiveFailures >= n ? view : undefined;
        });
        expect(failed).toMatchObject({
          tracking: true,
          paused: false,
          lastPollStatus: 'failed',
          lastErrorCode: 'source-gone',
          consecutiveFailures: n,
          // a failing poll is no sign that the account is unavailable
          unavailableSince: null,
          unavailableReason: null,
        });
        expect(failed.lastError).toBe(
          `Mastodon ${mastodon.host} statuses of closed@${mastodon.host}: HTTP 410: Gone`,
        );
        const wait = Math.min(
          RETRY_MAX_SECONDS,
          Math.max(POLL_INTERVAL_SECONDS, RETRY_BASE_SECONDS * 2 ** (n - 1)),
        );
        // decided between the moment the poll was made due and the moment it was written
        const decidedAt = Date.parse(failed.nextPollAt!) - wait * 1000;
        expect(decidedAt).toBeGreaterThanOrEqual(asked);
        expect(decidedAt).toBeLessThanOrEqual(Date.parse(failed.lastPolledAt!));
      }
      // one request a poll, none in between: the timeline was asked exactly once per failure
      const gone = mastodon.requestLog.filter(
        (r) => r.path.startsWith(timeline) && r.response?.status === 410,
      );
      expect(gone).toHaveLength(9);
      const [{ polls, error_code }]: { polls: number; error_code: string }[] = await app.db.query(
        `SELECT polls, error_code FROM capture_runs WHERE account_id = $1 ORDER BY id DESC LIMIT 1`,
        [id],
      );
      expect({ polls, error_code }).toEqual({ polls: 9, error_code: 'source-gone' });

      // a failing poll says nothing about the account's posts or its availability: only rechecks do
      expect((await statement(statementId)).status).toBe('active');
      expect(await availability(id)).toEqual({ since: null, reason: null });
      expect(await accountEvents(id)).toEqual([]);

      // the timeline answers again: the next poll reads it, and the account is back on its interval
      mastodon.clearFailures();
      const post = mastodon.publish('closed', { content: '<p>We are back.</p>' });
      const asked = await pollNow(id);
      const healthy = await waitFor('a good poll', async () => {
        const view = await account(id);
        return view.consecutiveFailures === 0 ? view : undefined;
      });
      expect(healthy).toMatchObject({ lastError: null, lastErrorCode: null });
      expect(['ok', 'unchanged']).toContain(healthy.lastPollStatus);
      expect(Date.parse(healthy.nextPollAt!) - POLL_INTERVAL_SECONDS * 1000).toBeGreaterThanOrEqual(asked);
      expect(
        (await app.db.query(`SELECT 1 FROM statements WHERE external_id = $1`, [post.id])) as unknown[],
      ).toHaveLength(1);
    } finally {
      await mastodon.close();
    }
  });

  it('marks an account whose posts cannot be read unavailable, tells subscribers once, and again when it is back', async () => {
    const mastodon = await startFakeMastodon();
    try {
      mastodon.addAccount({ username: 'embassy', displayName: 'Embassy' });
      mastodon.publish('embassy', { content: '<p>First notice.</p>' });
      mastodon.publish('embassy', { content: '<p>Second notice.</p>' });
      const id = await track(mastodon, 'embassy', 2);
      const statementIds = await statementsOf(id);
      const created = await app
        .write('post', '/api/v1/subscriptions')
        .send({ url: receiver.url, events: ['account.unavailable', 'account.restored'], accountIds: [id] })
        .expect(201);
      const verifier = new Webhook((created.body as { secret: string }).secret);
      const payloads = () =>
        receiver.received.map(
          (r) => verifier.verify(r.body, r.headers as Record<string, string>) as AccountPayload,
        );

      // the instance now wants a login to read statuses (Mastodon's limited federation): 403 to every lookup
      mastodon.fail({ mode: 'forbidden', path: '/api/v1/statuses' });
      await rechecked(id, await recheckNow(id));
      const away = await availability(id);
      expect(away.since).not.toBeNull();
      expect(away.reason).toBe('login-wall');
      expect(await accountEvents(id)).toEqual(['account.unavailable']);
      // the API shows it, on the account and in the list
      expect(await account(id)).toMatchObject({
        unavailableSince: away.since!.toISOString(),
        unavailableReason: 'login-wall',
      });
      const tracked = (await app.http().get('/api/v1/accounts').expect(200)).body as { items: AccountView[] };
      expect(tracked.items.find((a) => a.id === id)).toMatchObject({
        unavailableSince: away.since!.toISOString(),
        unavailableReason: 'login-wall',
      });
      // every post of the account follows it, each with the platform's answer as evidence
      const listed = (
        await app.http().get(`/api/v1/statements?accountId=${id}&status=unavailable`).expect(200)
      ).body as { items: { id: string }[] };
      expect(listed.items.map((s) => s.id).sort()).toEqual([...statementIds].sort());
      for (const statementId of statementIds) {
        const view = await statement(statementId);
        expect(view.status).toBe('unavailable');
        expect(view.observations).toHaveLength(1);
        expect(view.observations[0]).toMatchObject({
          status: 'unavailable',
          previousStatus: 'active',
          httpStatus: 403,
        });
        expect(view.observations[0].artifacts.map((a) => a.role).sort()).toEqual([
          'response',
          'response-head',
        ]);
      }

      // the subscriber hears it once, signed, naming the account and the observation that showed it
      const [unavailable] = await waitFor(
        'the account.unavailable webhook',
        async () => {
          const got = payloads();
          return got.length > 0 ? got : undefined;
        },
        OUTBOX_WAIT_MS,
      );
      expect(unavailable).toMatchObject({
        type: 'account.unavailable',
        data: {
          account: { id, handle: `embassy@${mastodon.host}`, platform: 'mastodon' },
          status: 'unavailable',
          previousStatus: 'active',
          // why, as the observation that showed it recorded it
          reason: 'login-wall',
        },
      });
      expect(statementIds).toContain(unavailable.data.statementId);
      expect(unavailable.data.links.page).toBe(
        `https://archive.example.org/statements/${unavailable.data.statementId}`,
      );
      const shownBy = (await statement(unavailable.data.statementId)).observations[0];
      expect(unavailable.data.links.evidence).toBe(
        `https://archive.example.org/api/v1/statements/${unavailable.data.statementId}/evidence?observation=${shownBy.id}`,
      );
      // and the evidence it links to verifies offline: the platform's 403 is in it
      const logKey = (await app.http().get('/log/key').expect(200)).text.trim();
      const evidence = new URL(unavailable.data.links.evidence);
      const bundle = await waitFor('the observation bundle', async () => {
        const res = await app.http().get(`${evidence.pathname}${evidence.search}`);
        return res.status === 200 ? (JSON.parse(res.text) as EvidenceBundle) : undefined;
      });
      const report = await verifyEvidenceBundle(bundle, { logKey });
      expect(report.ok).toBe(true);
      expect(report.entry).toMatchObject({
        type: 'observation',
        status: 'unavailable',
        reason: 'login-wall',
      });
      expect(report.proven.join('\n')).toMatch(/HTTP\/1\.1 403/);

      // still unreadable at the next recheck: nothing new to tell
      await rechecked(id, await recheckNow(id));
      expect(await accountEvents(id)).toEqual(['account.unavailable']);
      expect((await statement(statementIds[0])).observations).toHaveLength(1);

      // readable again: restored, once, and the subscriber hears that too
      mastodon.clearFailures();
      await rechecked(id, await recheckNow(id));
      expect(await availability(id)).toEqual({ since: null, reason: null });
      expect(await account(id)).toMatchObject({ unavailableSince: null, unavailableReason: null });
      expect(await accountEvents(id)).toEqual(['account.unavailable', 'account.restored']);
      for (const statementId of statementIds) expect((await statement(statementId)).status).toBe('active');
      const heard = await waitFor(
        'the account.restored webhook',
        async () => {
          const got = payloads();
          return got.length > 1 ? got : undefined;
        },
        OUTBOX_WAIT_MS,
      );
      expect(heard.map((p) => p.type)).toEqual(['account.unavailable', 'account.restored']);
      expect(heard[1].data).toMatchObject({
        account: { id },
        status: 'active',
        previousStatus: 'unavailable',
      });
      expect(heard[1].data).not.toHaveProperty('reason');
    } finally {
      await mastodon.close();
    }
  });

  it('documents the account fields in the OpenAPI document, unavailability included', async () => {
    const doc = (await app.http().get('/api/docs/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>>;
      components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> };
    };
    const account = doc.components.schemas.AccountResponse;
    expect(Object.keys(account.properties)).toEqual(
      expect.arrayContaining(['id', 'tracking', 'lastPollStatus', 'unavailableSince', 'unavailableReason']),
    );
    expect(account.properties.unavailableReason.enum).toEqual(
      expect.arrayContaining(['login-wall', 'private', 'account-suspended']),
    );
    expect(JSON.stringify(doc.paths['/api/v1/accounts/{id}'].get.responses['200'])).toContain(
      '#/components/schemas/AccountResponse',
    );
    expect(JSON.stringify(doc.paths['/api/v1/accounts'].get.responses['200'])).toContain(
      '#/components/schemas/AccountPageResponse',
    );
  });
});
