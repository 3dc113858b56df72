import { randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { type VerbatimConfig } from '@app/config';
import { GuardedHttpClient } from '@app/sources';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import {
  rssFeed,
  startFakeFeedServer,
  type FakeFeedServer,
  type RssItemSpec,
} from '@app/testing/fake-feed-server';
import { startTestApp, waitFor, type TestApp } from './support/app';

/** Small limits so that an oversize body and a hanging connection fail fast. */
const MAX_BYTES = 16 * 1024;
const TIMEOUT_MS = 1500;

interface AccountView {
  id: string;
  lastPollStatus: string;
  lastError: string | null;
  lastErrorCode: string | null;
  consecutiveFailures: number;
}

interface CaptureRun {
  outcome: string;
  error_code: string | null;
  error: string | null;
  polls: number;
}

const SUPPORTED = [
  'a Mastodon profile URL (https://host/@user)',
  'an RSS or Atom feed URL (https://example.gov/news/rss.xml)',
];

function item(n: number, body = `<p>Statement number ${n}.</p>`): RssItemSpec {
  return {
    guid: `https://mfa.example/news/${n}`,
    link: `https://mfa.example/news/${n}`,
    pubDate: new Date(Date.UTC(2025, 2, n)),
    description: body,
  };
}

function newsFeed(items: RssItemSpec[]) {
  return rssFeed({ title: 'MFA news', link: 'https://mfa.example/news', items });
}

/** A TCP listener on 127.0.0.2 that only counts who connects: nothing may ever reach it. */
async function startPrivateListener(): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.2', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port, connections: () => connections };
}

describe('bad input and failing sources', () => {
  let env: TestEnvironment;
  let config: VerbatimConfig;
  let mastodon: FakeMastodon;
  let feeds: FakeFeedServer;
  let privateNet: Awaited<ReturnType<typeof startPrivateListener>>;
  let app: TestApp;
  let healthStatuses: number[] = [];
  let healthProbe: NodeJS.Timeout | null = null;

  beforeAll(async () => {
    env = await createTestEnvironment();
    config = env.config({
      VERBATIM_HTTP_MAX_BYTES: String(MAX_BYTES),
      VERBATIM_HTTP_TIMEOUT_MS: String(TIMEOUT_MS),
      // the failing polls are expected: keep their warnings out of the test output
      LOG_LEVEL: 'error',
    });
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'mfa', displayName: 'Ministry of Foreign Affairs' });
    mastodon.publish('mfa', { content: '<p>First statement.</p>' });
    // failing accounts on the same instance: only requests about them fail
    mastodon.addAccount({ username: 'garbled' });
    mastodon.addAccount({ username: 'silent' });
    feeds = await startFakeFeedServer({ mode: 'conditional' });
    feeds.setFeed('/news.xml', newsFeed([item(1)]));
    feeds.setFeed('/about.html', {
      body: '<!DOCTYPE html><html><head><title>Ministry</title></head><body><h1>News</h1><ul><li><a href="/news/1">One</a></li></ul></body></html>',
      contentType: 'text/html; charset=utf-8',
    });
    privateNet = await startPrivateListener();
    // the private-network guard is on; 127.0.0.1 plays the public internet, every other address is private
    app = await startTestApp(config, {
      httpClient: new GuardedHttpClient(
        { ...config.fetch, allowPrivateNetworks: false },
        { isAllowedAddress: (address) => address === '127.0.0.1' },
      ),
    });
  });

  afterAll(async () => {
    if (healthProbe) clearInterval(healthProbe);
    await app?.close();
    await mastodon?.close();
    await feeds?.close();
    await new Promise((resolve) => privateNet?.server.close(resolve));
    await env?.destroy();
  });

  const track = (url: string) => app.write('post', '/api/v1/accounts').send({ url, pollIntervalSeconds: 1 });
  const account = async (id: string) =>
    (await app.http().get(`/api/v1/accounts/${id}`).expect(200)).body as AccountView;
  const latestRun = async (accountId: string): Promise<CaptureRun> => {
    const [run]: CaptureRun[] = await app.db.query(
      `SELECT outcome, error_code, error, polls FROM capture_runs WHERE account_id = $1 ORDER BY id DESC LIMIT 1`,
      [accountId],
    );
    return run;
  };
  const statementCount = async (accountId: string, postId?: string) => {
    const [{ n }]: { n: string }[] = await app.db.query(
      `SELECT count(*) AS n FROM statements WHERE account_id = $1 AND ($2::text IS NULL OR external_id = $2)`,
      [accountId, postId ?? null],
    );
    return Number(n);
  };

  describe('bad input', () => {
    it.each([
      ['an ftp URL', 'ftp://mfa.example/pub/news.xml'],
      ['text that is not a URL', 'not a url'],
    ])('rejects %s with 400 naming the supported kinds', async (_what, url) => {
      const res = await track(url).expect(400);
      expect(res.body.error).toBe('unsupported-url');
      for (const kind of SUPPORTED) expect(res.body.message).toContain(kind);
    });

    it('tracks a web page that is not a feed as a list page (platform web), no longer refusing it', async () => {
      const res = await track(feeds.url('/about.html')).expect(201);
      expect(res.body).toMatchObject({ platform: 'web', displayName: 'Ministry' });
      await app.write('delete', `/api/v1/accounts/${res.body.id}`).expect(204);
    });

    it('rejects unknown JSON fields with 400 naming the field', async () => {
      const res = await app
        .write('post', '/api/v1/accounts')
        .send({ url: feeds.url('/news.xml'), colour: 'red' })
        .expect(400);
      expect(res.body.error).toBe('invalid-input');
      expect(res.body.message).toEqual(['colour: unknown field; remove it']);
    });

    it('rejects malformed JSON with 400', async () => {
      const res = await app
        .write('post', '/api/v1/accounts')
        .set('Content-Type', 'application/json')
        .send('{"url": "https://mfa.example/news.xml"')
        .expect(400);
      expect(res.body.error).toBe('invalid-input');
      expect(res.body.message).toMatch(/^request body is not valid JSON/);
    });

    it('rejects writes without a token with 401', async () => {
      const id = '00000000-0000-4000-8000-000000000000';
      await app
        .http()
        .post('/api/v1/accounts')
        .send({ url: feeds.url('/news.xml') })
        .expect(401);
      await app.http().patch(`/api/v1/accounts/${id}`).send({ paused: true }).expect(401);
      await app.http().delete(`/api/v1/accounts/${id}`).expect(401);
      await app
        .http()
        .post('/api/v1/captures')
        .send({ url: feeds.url('/news.xml') })
        .expect(401);
      await app
        .http()
        .post('/api/v1/accounts')
        .set('Authorization', 'Bearer not-a-real-token')
        .send({ url: feeds.url('/news.xml') })
        .expect(401);
      expect(feeds.requestCount('/news.xml')).toBe(0);
    });

    it('rejects a non-uuid id with 400', async () => {
      const res = await app.http().get('/api/v1/accounts/not-a-uuid').expect(400);
      expect(res.body.error).toBe('invalid-input');
      await app.http().get('/api/v1/statements/42').expect(400);
    });

    it('answers 422 for a Mastodon account that does not exist', async () => {
      const res = await track(`${mastodon.origin}/@nobody`).expect(422);
      expect(res.body.error).toBe('source-not-found');
      expect((await app.http().get('/api/v1/accounts').expect(200)).body.items).toEqual([]);
    });
  });

  describe('failing sources beside healthy ones', () => {
    const ids: Record<string, string> = {};

    it('tracks healthy and soon-failing accounts, then breaks the failing ones', async () => {
      // every account is healthy when tracking starts: each breaks afterwards
      feeds.setFeed('/noise.xml', newsFeed([item(1)]));
      feeds.setFeed('/big.xml', newsFeed([item(1)]));
      feeds.setFeed('/moved.xml', newsFeed([item(1)]));
      ids.mastodon = (await track(`${mastodon.origin}/@mfa`).expect(201)).body.id;
      ids.feed = (await track(feeds.url('/news.xml')).expect(201)).body.id;
      ids.garbage = (await track(`${mastodon.origin}/@garbled`).expect(201)).body.id;
      ids.hang = (await track(`${mastodon.origin}/@silent`).expect(201)).body.id;
      ids.noise = (await track(feeds.url('/noise.xml')).expect(201)).body.id;
      ids.oversize = (await track(feeds.url('/big.xml')).expect(201)).body.id;
      ids.redirect = (await track(feeds.url('/moved.xml')).expect(201)).body.id;

      healthStatuses = [];
      healthProbe = setInterval(() => {
        app
          .http()
          .get('/health')
          .then((res) => healthStatuses.push(res.status))
          .catch(() => healthStatuses.push(0));
      }, 100);

      mastodon.fail({ mode: 'garbage', username: 'garbled' });
      mastodon.fail({ mode: 'hang', username: 'silent' });
      feeds.setFeed('/noise.xml', { body: randomBytes(4096), contentType: 'application/rss+xml' });
      const huge = newsFeed(
        Array.from({ length: 40 }, (_, n) => item(n + 1, `<p>${'Long text. '.repeat(60)}</p>`)),
      );
      expect(huge.body.length).toBeGreaterThan(MAX_BYTES);
      feeds.setFeed('/big.xml', huge);
      feeds.setRedirect('/moved.xml', `http://127.0.0.2:${privateNet.port}/feed.xml`);
    });

    it.each([
      [
        'a Mastodon instance answering garbage',
        'garbage',
        'source-invalid-response',
        /the response is not JSON/,
      ],
      [
        'a hanging Mastodon instance',
        'hang',
        'source-unavailable',
        new RegExp(`request timed out after ${TIMEOUT_MS} ms`),
      ],
      [
        'a feed serving random bytes',
        'noise',
        'source-invalid-response',
        /did not return an RSS or Atom feed/,
      ],
      [
        'an oversize feed',
        'oversize',
        'source-refused',
        new RegExp(`response body exceeds ${MAX_BYTES} bytes`),
      ],
      [
        'a feed redirecting to a private address',
        'redirect',
        'source-refused',
        /127\.0\.0\.2 is a private or loopback address; refused/,
      ],
    ])('records %s as a failed capture run with the reason', async (_what, key, code, reason) => {
      const failed = await waitFor(`a second failed poll of ${key}`, async () => {
        const view = await account(ids[key]);
        return view.lastPollStatus === 'failed' && view.consecutiveFailures >= 2 ? view : undefined;
      });
      expect(failed.lastErrorCode).toBe(code);
      expect(failed.lastError).toMatch(reason);
      const run = await latestRun(ids[key]);
      expect(run).toMatchObject({ outcome: 'failed', error_code: code, error: failed.lastError });
      // the same failure again extends the run instead of adding a row
      expect(run.polls).toBeGreaterThanOrEqual(2);
    });

    it('never connected to the private address', async () => {
      expect(feeds.requestCount('/moved.xml')).toBeGreaterThanOrEqual(2);
      expect(privateNet.connections()).toBe(0);
      // the listener does count connections: one from the test itself shows up
      await new Promise<void>((resolve, reject) =>
        connect(privateNet.port, '127.0.0.2', resolve)
          .on('error', reject)
          .on('connect', function (this: Socket) {
            this.destroy();
          }),
      );
      await waitFor('the probe connection', async () => (privateNet.connections() === 1 ? true : undefined));
    });

    it('keeps capturing the healthy accounts while the others fail', async () => {
      await waitFor('the first captures', async () =>
        (await statementCount(ids.mastodon)) === 1 && (await statementCount(ids.feed)) === 1
          ? true
          : undefined,
      );
      const status = mastodon.publish('mfa', { content: '<p>Published while others fail.</p>' });
      feeds.setFeed('/news.xml', newsFeed([item(2, '<p>Also published while others fail.</p>'), item(1)]));
      await waitFor(
        'the new post and the new item',
        async () =>
          (await statementCount(ids.mastodon, status.id)) === 1 &&
          (await statementCount(ids.feed, 'https://mfa.example/news/2')) === 1
            ? true
            : undefined,
        1000 + 5000,
      );
      for (const id of [ids.mastodon, ids.feed]) {
        expect(await account(id)).toMatchObject({ lastError: null, consecutiveFailures: 0 });
      }
      // the failing accounts are still failing, and still being retried
      for (const key of ['garbage', 'hang', 'noise', 'oversize', 'redirect']) {
        expect((await account(ids[key])).lastPollStatus).toBe('failed');
      }
    });

    it('kept /health at 200 throughout', async () => {
      if (healthProbe) clearInterval(healthProbe);
      healthProbe = null;
      await app.http().get('/health').expect(200);
      expect(healthStatuses.length).toBeGreaterThan(0);
      expect(healthStatuses.filter((status) => status !== 200)).toEqual([]);
    });
  });
});
