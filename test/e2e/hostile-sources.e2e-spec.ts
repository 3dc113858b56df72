import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { Client } from 'pg';
import { nextPollAfterFailure } from '@app/capture';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { rssFeed, startFakeFeedServer, type FakeFeedServer } from '@app/testing/fake-feed-server';
import { hostileFeedCorpus } from '@app/testing/hostile/feed-corpus';
import { NESTING_FAMILIES, QUADRATIC_FAMILIES, rssDocument } from '@app/testing/hostile/hostile-feed-bodies';
import {
  startHostileServer,
  type HostileAnswer,
  type HostileServer,
} from '@app/testing/hostile/hostile-server';
import { accountJson, hostileMastodonCorpus } from '@app/testing/hostile/mastodon-corpus';
import { telegramCrowdedPage } from '@app/testing/hostile/platform-corpus';
import { hostileListCorpus, plainReleasePage } from '@app/testing/hostile/web-corpus';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { PARSE_THREAD_NICENESS } from '@app/sources/parsing/thread-protocol';
import { FIRST_FIELD, threadStatFields } from '@app/sources/parsing/thread-cpu-clock';
import { largestGapMs, startHealthProbe, unhealthySamples } from './support/health-probe';
import { freePort, startServe, stopAll, waitForHealth, type VerbatimProcess } from './support/processes';

// Every case of the hostile-source corpus against real `verbatim serve --role all` processes built in dist/
// (feed parsing on worker threads): API and worker share one event loop, the strictest setting for
// /health. The cases run at once, each as its own tracked account that turns hostile after it was tracked.

const MB = 1024 * 1024;
const MAX_BYTES = 10 * MB;
// real sources are polled every few minutes; 3 s keeps every case polled several times in the window without
// turning the suite into a load test of dozens of 10 MB downloads a second
const INTERVAL_S = 3;
const RETRY_BASE_S = 1;
const RETRY_MAX_S = 8;
const HTTP_TIMEOUT_MS = 3000;
const MAX_REDIRECTS = 5;
const HEALTH_MAX_MS = 1000;
/**
 * How long the armed cases are watched: long enough for the backoff to reach its maximum twice, and for the
 * 10,000-item feed to be stored under the barrage: on a slow evening of the 2-core machine 22.3 s with parse
 * deadlines on the clock, 23.6 and 24.2 s with deadlines in CPU time (its parse, kept off the cores, runs on
 * where it used to be cut and polled again); 24 s was the window before
 */
const OBSERVE_MS = 36_000;
/**
 * The first poll after arming may start up to one interval later, take the whole HTTP timeout (slow drip),
 * queue behind the other cases' polls and parses on two cores: the bound for a recorded outcome.
 */
const OUTCOME_WITHIN_MS = INTERVAL_S * 1000 + HTTP_TIMEOUT_MS + 4000;
/** the second process's parse deadline: far below the ~2 s a 10 MB deeply nested description takes */
const PARSE_DEADLINE_MS = 200;
const ADMIN_TOKEN = `hostile-e2e-${randomBytes(12).toString('hex')}`;
const POLICY = { retryBaseSeconds: RETRY_BASE_S, retryMaxSeconds: RETRY_MAX_S };

type Outcome = 'parses' | 'refused' | 'parses-or-refused';

interface Case {
  name: string;
  url: string;
  outcome: Outcome;
  goodIds: string[];
  /** paths whose requests are this account's fetches, and how many one poll makes */
  paths: string[];
  requestsPerPoll: number;
  server: HostileServer;
  accountId?: string;
}

interface AccountRow {
  id: string;
  last_poll_status: string;
  last_error: string | null;
  next_poll_at: Date;
}

/** When each case's outcome was first seen, and the account as it was then. */
interface Seen {
  at: number;
  row: AccountRow;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const benignFeed = (id: string) =>
  Buffer.from(
    rssDocument(`<item><guid>${id}</guid><title>Before</title><description>Quiet.</description></item>`),
  );
const rss = (body: Buffer, contentType: string | null = 'application/rss+xml'): HostileAnswer => ({
  kind: 'body',
  body,
  contentType,
});

/** Most polls a failing source may get in `windowMs` after turning hostile, by the backoff schedule. */
function pollsAllowedFailing(windowMs: number): number {
  let polls = 1;
  let at = 0;
  for (let failures = 1; ; failures++) {
    at += nextPollAfterFailure(failures, INTERVAL_S, POLICY, null, new Date(0)).getTime();
    if (at > windowMs) return polls;
    polls++;
  }
}

/** Most polls a healthy source gets in `windowMs`: one per interval, plus one on the boundary. */
const pollsAllowedHealthy = (windowMs: number) => Math.floor(windowMs / (INTERVAL_S * 1000)) + 2;

/** A last error a person can act on: a sentence, not a stack trace or an object dump. */
function readable(error: string | null): boolean {
  return !!error && error.length < 2000 && !/\n\s+at /.test(error) && !error.includes('[object');
}

describe('hostile sources: the service stays responsive, failures are recorded, backoff holds', () => {
  let env: TestEnvironment;
  let proc: VerbatimProcess;
  let port: number;
  let db: Client;
  let hostile: HostileServer;
  let ownHost: HostileServer;
  let mastodon: FakeMastodon;
  let feeds: FakeFeedServer;
  /** a second process, with a short parse deadline, on its own database */
  let deadline: {
    env: TestEnvironment;
    port: number;
    db: Client;
    server: HostileServer;
    proc: VerbatimProcess;
  };

  const request = (path: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${port}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    });
  const track = async (url: string): Promise<string> => {
    const res = await request('/api/v1/accounts', {
      method: 'POST',
      body: JSON.stringify({ url, pollIntervalSeconds: INTERVAL_S }),
    });
    const body = (await res.json()) as { id?: string };
    if (res.status !== 201 || !body.id)
      throw new Error(`tracking ${url}: HTTP ${res.status} ${JSON.stringify(body)}`);
    return body.id;
  };
  const accounts = async (): Promise<Map<string, AccountRow>> => {
    const { rows } = await db.query<AccountRow>(
      'SELECT id, last_poll_status, last_error, next_poll_at FROM accounts',
    );
    return new Map(rows.map((row) => [String(row.id), row]));
  };
  const stored = async (ids: string[]): Promise<Set<string>> => {
    const { rows } = await db.query<{ account_id: string; external_id: string }>(
      'SELECT account_id, external_id FROM statements WHERE external_id = ANY($1)',
      [ids],
    );
    return new Set(rows.map((row) => `${row.account_id} ${row.external_id}`));
  };

  const serverEnv = (overrides: Record<string, string>) => ({
    VERBATIM_ADMIN_TOKEN: ADMIN_TOKEN,
    VERBATIM_HTTP_MAX_BYTES: String(MAX_BYTES),
    VERBATIM_HTTP_TIMEOUT_MS: String(HTTP_TIMEOUT_MS),
    VERBATIM_HTTP_MAX_REDIRECTS: String(MAX_REDIRECTS),
    VERBATIM_RETRY_BASE_SECONDS: String(RETRY_BASE_S),
    VERBATIM_RETRY_MAX_SECONDS: String(RETRY_MAX_S),
    VERBATIM_WORKER_CONCURRENCY: '16',
    LOG_LEVEL: 'error',
    ...overrides,
  });

  beforeAll(async () => {
    const [mainEnv, deadlineEnv] = await Promise.all([createTestEnvironment(), createTestEnvironment()]);
    env = mainEnv;
    port = await freePort();
    const deadlinePort = await freePort();
    proc = startServe('all', env.env(serverEnv({ PORT: String(port) })));
    // its hostile server stands in for Telegram's web preview, X's API and Bluesky's AppView too
    const deadlineServer = await startHostileServer();
    const deadlineProc = startServe(
      'all',
      deadlineEnv.env(
        serverEnv({
          PORT: String(deadlinePort),
          VERBATIM_PARSE_TIMEOUT_MS: String(PARSE_DEADLINE_MS),
          VERBATIM_TELEGRAM_BASE_URL: deadlineServer.origin,
          VERBATIM_X_API_BASE_URL: deadlineServer.origin,
          VERBATIM_X_BEARER_TOKEN: 'hostile-e2e-token',
          VERBATIM_BLUESKY_APPVIEW_URL: deadlineServer.origin,
        }),
      ),
      'serve --role all (short parse deadline)',
    );
    deadline = {
      env: deadlineEnv,
      port: deadlinePort,
      db: new Client({ connectionString: deadlineEnv.databaseUrl }),
      server: deadlineServer,
      proc: deadlineProc,
    };
    await deadline.db.connect();
    [hostile, ownHost, mastodon, feeds] = await Promise.all([
      startHostileServer(),
      startHostileServer(),
      startFakeMastodon(),
      startFakeFeedServer({ mode: 'ignore-conditional' }),
    ]);
    db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    await Promise.all([waitForHealth(proc, port, 30_000), waitForHealth(deadlineProc, deadlinePort, 30_000)]);
  });

  afterAll(async () => {
    await stopAll();
    await Promise.all([db?.end(), deadline?.db.end()]);
    await Promise.all([
      hostile?.close(),
      ownHost?.close(),
      mastodon?.close(),
      feeds?.close(),
      deadline?.server.close(),
    ]);
    await Promise.all([env?.destroy(), deadline?.env.destroy()]);
  });

  it('tracking a 10 MB feed that is slow to parse answers without blocking the API', async () => {
    const path = '/tracked/deep-html-10mb';
    const body = NESTING_FAMILIES['deep-html-description'](MAX_BYTES - MB / 2);
    hostile.route(path, { before: rss(body), after: rss(body) });
    const probe = startHealthProbe(port);
    const started = Date.now();
    const res = await request('/api/v1/accounts', {
      method: 'POST',
      body: JSON.stringify({ url: hostile.url(path), pollIntervalSeconds: INTERVAL_S }),
    });
    // ~2 s of parsing on a thread; on a machine loaded enough to pass the deadline, a readable refusal (a parse
    // kept off the cores for ten times the deadline is our load: 503, "… for a core")
    if (res.status !== 201)
      expect(((await res.json()) as { message: string }).message).toMatch(
        /parsing took longer than|for a core/,
      );
    const tookMs = Date.now() - started;
    await sleep(300);
    const samples = await probe.stop();
    expect(unhealthySamples(samples, HEALTH_MAX_MS)).toEqual([]);
    expect(samples.length).toBeGreaterThan(tookMs / 1000);
    expect(largestGapMs(samples)).toBeLessThan(500);
  });

  it('every case: /health within 1 s, a recorded failure or the good posts, fetches within the backoff', async () => {
    // ---- the cases, each at its own path (feeds) or account (Mastodon) ----
    const cases: Case[] = [];
    const feedCorpus = hostileFeedCorpus({ maxBytes: MAX_BYTES, quadraticBytes: MB });
    const big = (name: string, body: Buffer, outcome: Outcome, goodIds: string[]) => ({
      name,
      body,
      contentType: 'application/rss+xml' as string | null,
      outcome,
      goodItemIds: goodIds,
      exceedsSizeLimit: false,
    });
    // the two slowest families at 10 MB: parsed on a thread while everything else goes on
    const near10Mb = MAX_BYTES - MB / 2;
    const extra = [
      // about 2 s on an idle thread: parsed, or refused by the deadline on a loaded machine
      big(
        'deep-html-description-10mb',
        NESTING_FAMILIES['deep-html-description'](near10Mb),
        'parses-or-refused',
        ['deep'],
      ),
      big('unterminated-comments-10mb', QUADRATIC_FAMILIES['unterminated-comments'](near10Mb), 'refused', []),
    ];
    for (const feedCase of [...feedCorpus, ...extra]) {
      const path = `/feeds/${feedCase.name}`;
      hostile.route(path, {
        before: rss(benignFeed(`before-${feedCase.name}`)),
        after: rss(feedCase.body, feedCase.contentType),
      });
      cases.push({
        name: `feed ${feedCase.name}`,
        url: hostile.url(path),
        outcome: feedCase.exceedsSizeLimit ? 'refused' : feedCase.outcome,
        goodIds: feedCase.exceedsSizeLimit ? [] : feedCase.goodItemIds,
        paths: [path],
        requestsPerPoll: 1,
        server: hostile,
      });
    }
    // tracked press-release list pages (platform web) that turn hostile: parsed on the page parse threads
    for (const listCase of hostileListCorpus('release')) {
      const path = `/web/${listCase.name}/`;
      const html = (body: Buffer): HostileAnswer => ({ kind: 'body', body, contentType: 'text/html' });
      const before = Buffer.from(
        `<!doctype html><html><head><title>News</title></head><body><main><ul><li><a href="first">First</a></li></ul></main></body></html>`,
      );
      hostile.route(path, { before: html(before), after: html(listCase.body) });
      for (const release of ['first', 'release'])
        hostile.route(`${path}${release}`, {
          before: html(plainReleasePage(release)),
          after: html(plainReleasePage(release)),
        });
      cases.push({
        name: `web ${listCase.name}`,
        url: hostile.url(path),
        outcome: listCase.outcome,
        goodIds: listCase.outcome === 'parses' ? [hostile.url(`${path}release`)] : [],
        paths: [path],
        requestsPerPoll: 1,
        server: hostile,
      });
    }
    const mastodonCorpus = hostileMastodonCorpus({ maxBytes: MAX_BYTES, maxRedirects: MAX_REDIRECTS });
    mastodonCorpus.forEach((mastodonCase, index) => {
      // a 429 teaches the client to leave the whole host alone: that case gets a host of its own
      const server = mastodonCase.ownHost ? ownHost : hostile;
      const account = { accountId: String(500 + index), username: `case_${index}`, origin: server.origin };
      const path = `/api/v1/accounts/${account.accountId}/statuses`;
      server.mastodonLookup(account.username, accountJson(account));
      server.route(path, {
        before: { kind: 'body', body: Buffer.from('[]'), contentType: 'application/json' },
        after: mastodonCase.answer(account),
      });
      cases.push({
        name: `mastodon ${mastodonCase.name}`,
        url: `${server.origin}/@${account.username}`,
        outcome: mastodonCase.outcome,
        goodIds: mastodonCase.goodPostIds,
        paths: [path],
        requestsPerPoll: mastodonCase.requestsPerPoll,
        server,
      });
    });

    // ---- healthy sources beside them ----
    mastodon.addAccount({ username: 'mfa', displayName: 'Ministry of Foreign Affairs' });
    mastodon.publish('mfa', { content: '<p>Before.</p>' });
    feeds.setFeed('/news.xml', rssFeed({ title: 'News', link: 'https://mfa.example/', items: [] }));
    const healthyMastodon = await track(`${mastodon.origin}/@mfa`);
    await track(feeds.url('/news.xml'));

    // ---- track every case while it is still benign ----
    for (let i = 0; i < cases.length; i += 8) {
      await Promise.all(cases.slice(i, i + 8).map(async (c) => (c.accountId = await track(c.url))));
    }
    await waitForFirstPolls(cases.map((c) => c.accountId!));

    // ---- arm: every case turns hostile at once; watch ----
    const probe = startHealthProbe(port);
    const armedAt = Date.now();
    hostile.arm();
    ownHost.arm();
    const seen = new Map<string, Seen>();
    const published = new Map<string, number>();
    const capturedAt = new Map<string, number>();
    const wanted = cases.flatMap((c) => c.goodIds);
    let nextPublish = armedAt;
    while (Date.now() < armedAt + OBSERVE_MS) {
      if (Date.now() >= nextPublish) {
        const status = mastodon.publish('mfa', { content: `<p>During, ${published.size + 1}.</p>` });
        published.set(status.id, Date.now());
        nextPublish += 2000;
      }
      const [rows, goods] = await Promise.all([accounts(), stored([...wanted, ...published.keys()])]);
      const now = Date.now();
      for (const c of cases) {
        const row = rows.get(c.accountId!)!;
        if (seen.has(c.name)) continue;
        const captured = c.goodIds.length > 0 && c.goodIds.every((id) => goods.has(`${c.accountId} ${id}`));
        if (row.last_poll_status === 'failed' || captured) seen.set(c.name, { at: now, row });
      }
      for (const id of published.keys())
        if (!capturedAt.has(id) && goods.has(`${healthyMastodon} ${id}`)) capturedAt.set(id, now);
      await sleep(250);
    }
    const windowEnd = Date.now();
    const samples = await probe.stop();
    // the parse threads yield the cores to the event loop that answers /health (Linux: niceness per thread)
    if (process.platform === 'linux') {
      const niceness = threadNiceness(proc.child.pid!);
      expect(niceness.get(proc.child.pid!)).toBe(0);
      expect([...niceness.values()]).toContain(PARSE_THREAD_NICENESS);
    }

    // ---- what each case came to ----
    const final = await accounts();
    const goods = await stored(wanted);
    const problems: string[] = [];
    const report: string[] = [];
    for (const c of cases) {
      const row = final.get(c.accountId!)!;
      const failed = row.last_poll_status === 'failed';
      const captured = c.goodIds.length > 0 && c.goodIds.every((id) => goods.has(`${c.accountId} ${id}`));
      const ok =
        c.outcome === 'refused'
          ? failed && readable(row.last_error)
          : c.outcome === 'parses'
            ? captured
            : captured || (failed && readable(row.last_error)) || (c.goodIds.length === 0 && !failed);
      if (!ok)
        problems.push(`${c.name}: expected ${c.outcome}, got ${row.last_poll_status} (${row.last_error})`);
      const first = seen.get(c.name);
      if (!first && !(c.outcome === 'parses-or-refused' && c.goodIds.length === 0 && !failed))
        problems.push(`${c.name}: no outcome seen while watching`);
      if (first?.row.last_poll_status === 'failed' && first.at - armedAt > OUTCOME_WITHIN_MS)
        problems.push(`${c.name}: failure recorded only after ${first.at - armedAt} ms`);
      // storing 10,000 new statements takes longer than a failure: a capture is bounded in polls, not seconds.
      // Two, not one: on a loaded machine the 10,000-item feed was once stored only by the second poll (cause
      // not yet known; the first poll's outcome was not sampled).
      const pollsUntilCaptured = first
        ? Math.ceil(
            c.paths.flatMap((path) => c.server.requests(path).filter((at) => at >= armedAt && at <= first.at))
              .length / c.requestsPerPoll,
          )
        : 0;
      if (first && first.row.last_poll_status !== 'failed' && pollsUntilCaptured > 2)
        problems.push(`${c.name}: good posts captured only by poll ${pollsUntilCaptured}`);

      const fetches = c.paths.flatMap((path) =>
        c.server.requests(path).filter((at) => at >= armedAt && at <= windowEnd),
      ).length;
      const polls = Math.ceil(fetches / c.requestsPerPoll);
      const allowed = failed
        ? pollsAllowedFailing(windowEnd - armedAt)
        : pollsAllowedHealthy(windowEnd - armedAt);
      if (polls > allowed)
        problems.push(`${c.name}: ${polls} polls in ${windowEnd - armedAt} ms, allowed ${allowed}`);
      // never parked either: the longest wait is VERBATIM_RETRY_MAX_SECONDS
      if (polls < 2) problems.push(`${c.name}: polled ${polls} times while watched`);
      report.push(
        `${c.name}: ${row.last_poll_status}${first ? ` after ${first.at - armedAt} ms` : ''}, ${polls} polls (≤ ${allowed})${row.last_error ? `: ${row.last_error.slice(0, 100)}` : ''}`,
      );
    }

    const slowest = Math.max(...samples.map((sample) => sample.ms));
    process.stdout.write(
      `hostile cases (${cases.length}), /health ${samples.length} answers, slowest ${slowest} ms:\n  ${report.join('\n  ')}\n`,
    );
    // the 429 asking for 95 years: the next poll no later than VERBATIM_RETRY_MAX_SECONDS after the answer
    const rateLimited = cases.find((c) => c.name === 'mastodon retry-after-95-years')!;
    const limitedSeen = seen.get(rateLimited.name);
    if (!limitedSeen?.row.last_error?.includes('HTTP 429')) problems.push('the 429 was not recorded');
    else if (limitedSeen.row.next_poll_at.getTime() > limitedSeen.at + RETRY_MAX_S * 1000)
      problems.push(`the 429 moved the next poll to ${limitedSeen.row.next_poll_at.toISOString()}`);

    // the healthy account kept being captured on schedule: each post within two intervals and a poll's work
    for (const [id, at] of published) {
      const captured = capturedAt.get(id);
      if (captured === undefined) {
        if (at < windowEnd - 5000)
          problems.push(`healthy post ${id} published ${at - armedAt} ms in: never captured`);
      } else if (captured - at > 2 * INTERVAL_S * 1000 + 3000) {
        problems.push(`healthy post ${id}: captured ${captured - at} ms after it was published`);
      }
    }
    const healthyFeedFetches = feeds.requestCount('/news.xml');
    if (healthyFeedFetches < OBSERVE_MS / (INTERVAL_S * 1000) / 2)
      problems.push(`the healthy feed was fetched ${healthyFeedFetches} times`);

    expect(unhealthySamples(samples, HEALTH_MAX_MS)).toEqual([]);
    expect(largestGapMs(samples)).toBeLessThan(500);
    expect(problems).toEqual([]);
  });

  it('a parse past VERBATIM_PARSE_TIMEOUT_MS is stopped and the poll refused, the service answering meanwhile', async () => {
    const { port: slowPort, db: slowDb } = deadline;
    const path = '/feeds/slow-to-parse';
    const body = NESTING_FAMILIES['deep-html-description'](MAX_BYTES - MB / 2);
    deadline.server.route(path, { before: rss(benignFeed('before')), after: rss(body) });
    deadline.server.route('/feeds/slow-from-the-start', { before: rss(body), after: rss(body) });
    const probe = startHealthProbe(slowPort);
    const post = (url: string) =>
      fetch(`http://127.0.0.1:${slowPort}/api/v1/accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify({ url, pollIntervalSeconds: INTERVAL_S }),
      });

    // tracking validates through the same threads and the same deadline
    const refused = await post(deadline.server.url('/feeds/slow-from-the-start'));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toContain(
      `parsing took longer than ${PARSE_DEADLINE_MS} ms; refused`,
    );

    const created = await post(deadline.server.url(path));
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const row = async () =>
      (
        await slowDb.query<AccountRow>(
          'SELECT id, last_poll_status, last_error, next_poll_at FROM accounts WHERE id = $1',
          [id],
        )
      ).rows[0];
    while ((await row()).last_poll_status === 'never') await sleep(100);
    const armedAt = Date.now();
    deadline.server.arm();
    while ((await row()).last_poll_status !== 'failed' && Date.now() - armedAt < OUTCOME_WITHIN_MS)
      await sleep(100);
    const failedAfterMs = Date.now() - armedAt;
    await sleep(5000);
    const windowEnd = Date.now();
    const samples = await probe.stop();

    const account = await row();
    expect(account.last_poll_status).toBe('failed');
    expect(account.last_error).toBe(
      `${deadline.server.url(path)}: parsing took longer than ${PARSE_DEADLINE_MS} ms; refused`,
    );
    expect(failedAfterMs).toBeLessThan(OUTCOME_WITHIN_MS);
    const polls = deadline.server.requests(path).filter((at) => at >= armedAt).length;
    expect(polls).toBeLessThanOrEqual(pollsAllowedFailing(windowEnd - armedAt));
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(unhealthySamples(samples, HEALTH_MAX_MS)).toEqual([]);
    expect(largestGapMs(samples)).toBeLessThan(500);
  });

  it('a Telegram preview page past VERBATIM_PARSE_TIMEOUT_MS is refused from its parse thread, the service answering meanwhile', async () => {
    // 6 MB of ordinary messages: about a second of reading on a thread, five times the deadline
    const path = '/s/crowded_mfa';
    const page: HostileAnswer = {
      kind: 'body',
      body: Buffer.from(telegramCrowdedPage(6 * MB)),
      contentType: 'text/html; charset=utf-8',
    };
    deadline.server.route(path, { before: page, after: page });
    const probe = startHealthProbe(deadline.port);
    const res = await fetch(`http://127.0.0.1:${deadline.port}/api/v1/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ url: `${deadline.server.origin}/crowded_mfa`, pollIntervalSeconds: INTERVAL_S }),
    });
    const samples = await probe.stop();
    expect(deadline.server.requests(path).length).toBeGreaterThan(0);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain(
      `${deadline.server.url(path)}: parsing took longer than ${PARSE_DEADLINE_MS} ms; refused`,
    );
    // read in this process's event loop, the page would have held /health for a second
    expect(unhealthySamples(samples, HEALTH_MAX_MS)).toEqual([]);
    expect(largestGapMs(samples)).toBeLessThan(500);
  });

  it('an X or Bluesky JSON body past VERBATIM_PARSE_TIMEOUT_MS is refused from its parse thread, the service answering meanwhile', async () => {
    // 6 MB of one object's distinct keys: JSON.parse alone takes about a second over it on the 2-core machine.
    // Not nesting: a body nested past MAX_JSON_BODY_DEPTH is refused from its bytes before it is parsed.
    const keys = Array.from({ length: 600_000 }, (_, i) => `"k${i.toString(36)}":0`).join(',');
    const slowToParse = (head: string): HostileAnswer => ({
      kind: 'body',
      body: Buffer.from(`${head}{${keys}}}`),
      contentType: 'application/json; charset=utf-8',
    });
    const xPath = '/2/users/by/username/slow_mfa';
    const xBody = slowToParse('{"data":');
    deadline.server.route(xPath, { before: xBody, after: xBody });
    // the query (?actor=) is not routed on: this path answers every profile
    const blueskyPath = '/xrpc/app.bsky.actor.getProfile';
    const blueskyBody = slowToParse('{"did":"did:plc:slowmfa","handle":"slow.example","extra":');
    deadline.server.route(blueskyPath, { before: blueskyBody, after: blueskyBody });
    const track = (url: string) =>
      fetch(`http://127.0.0.1:${deadline.port}/api/v1/accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify({ url, pollIntervalSeconds: INTERVAL_S }),
      });
    const probe = startHealthProbe(deadline.port);
    const x = await track('https://x.com/slow_mfa');
    const bluesky = await track('https://bsky.app/profile/slow.example');
    const samples = await probe.stop();
    // parsed in this process's event loop, each body would have held /health for seconds
    expect(unhealthySamples(samples, HEALTH_MAX_MS)).toEqual([]);
    expect(largestGapMs(samples)).toBeLessThan(500);
    expect(deadline.server.requests(xPath).length).toBeGreaterThan(0);
    expect(deadline.server.requests(blueskyPath).length).toBeGreaterThan(0);
    expect(x.status).toBe(400);
    expect(((await x.json()) as { message: string }).message).toContain(
      `X user @slow_mfa: parsing took longer than ${PARSE_DEADLINE_MS} ms; refused`,
    );
    expect(bluesky.status).toBe(400);
    expect(((await bluesky.json()) as { message: string }).message).toContain(
      `Bluesky account slow.example: parsing took longer than ${PARSE_DEADLINE_MS} ms; refused`,
    );
  });

  async function waitForFirstPolls(ids: string[]): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const rows = await accounts();
      const waiting = ids.filter((id) => !['ok', 'unchanged'].includes(rows.get(id)?.last_poll_status ?? ''));
      if (waiting.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(
          `first polls not done: ${waiting.map((id) => JSON.stringify(rows.get(id))).join(', ')}`,
        );
      await sleep(200);
    }
  }
});

/** Each thread of a process by its id, with its niceness (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNiceness(pid: number): Map<number, number> {
  const niceness = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const fields = threadStatFields(`/proc/${pid}/task/${tid}/stat`);
    if (fields) niceness.set(Number(tid), Number(fields[19 - FIRST_FIELD]));
  }
  return niceness;
}
