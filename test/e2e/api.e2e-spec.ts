import { Queue } from 'bullmq';
import { storage } from 'nestjs-pino/storage';
import { bullOptions, QueueName } from '@app/queues';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { startTestApp, waitFor, type TestApp } from './support/app';

const ADMIN_TOKEN = 'admin-token-for-the-api-suite';

const POSTS = [
  { content: '<p>Sanctions package adopted by the Council.</p>', createdAt: '2022-02-25T10:00:00.000Z' },
  { content: '<p>Humanitarian corridors agreed for Mariupol.</p>', createdAt: '2022-03-05T10:00:00.000Z' },
  { content: '<p>New sanctions against the banking sector.</p>', createdAt: '2022-03-10T10:00:00.000Z' },
  { content: '<p>Minister meets counterparts in Warsaw.</p>', createdAt: '2022-03-12T10:00:00.000Z' },
  { content: '<p>Statement on the shelling of civilian areas.</p>', createdAt: '2022-03-15T10:00:00.000Z' },
];

describe('the REST API', () => {
  let env: TestEnvironment;
  let mastodon: FakeMastodon;
  let app: TestApp;
  let accountId: string;

  beforeAll(async () => {
    env = await createTestEnvironment();
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'mfa', displayName: 'Ministry' });
    for (const post of POSTS) mastodon.publish('mfa', post);
    app = await startTestApp(env.config({ VERBATIM_ADMIN_TOKEN: ADMIN_TOKEN }));
    const res = await app
      .http()
      .post('/api/v1/accounts')
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 60 })
      .expect(201);
    accountId = res.body.id;
    await waitFor('all posts', async () => {
      const [{ n }]: { n: string }[] = await app.db.query('SELECT count(*) AS n FROM statements');
      return Number(n) === POSTS.length ? true : undefined;
    });
  });

  afterAll(async () => {
    await app?.close();
    await mastodon?.close();
    await env?.destroy();
  });

  it('accepts the seeded admin token and refuses unknown ones', async () => {
    await app
      .http()
      .patch(`/api/v1/accounts/${accountId}`)
      .set('Authorization', 'Bearer nope')
      .send({})
      .expect(401);
    await app
      .http()
      .patch(`/api/v1/accounts/${accountId}`)
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({})
      .expect(200);
    const [row]: { token_sha256: string }[] = await app.db.query(
      `SELECT token_sha256 FROM api_tokens WHERE name LIKE 'admin%'`,
    );
    expect(row.token_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(row.token_sha256).not.toContain(ADMIN_TOKEN);
  });

  it('pages through statements with a cursor that stays stable while captures arrive', async () => {
    const first = await app.http().get('/api/v1/statements?limit=2').expect(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const late = mastodon.publish('mfa', { content: '<p>Arrives while a reader pages.</p>' });
    const capture = await app.write('post', '/api/v1/captures').send({ url: late.url }).expect(202);
    await waitFor('the late capture', async () => {
      const res = await app.http().get(`/api/v1/captures/${capture.body.jobId}`).expect(200);
      return res.body.state === 'completed' ? true : undefined;
    });
    const seen = [...first.body.items.map((i: { id: string }) => i.id)];
    let cursor = first.body.nextCursor as string | null;
    while (cursor) {
      const page = await app.http().get(`/api/v1/statements?limit=2&cursor=${cursor}`).expect(200);
      seen.push(...page.body.items.map((i: { id: string }) => i.id));
      cursor = page.body.nextCursor;
    }
    // the late statement sorts before the first page, so the pages still hold exactly the original ones, once each
    expect(seen).toHaveLength(POSTS.length);
    expect(new Set(seen).size).toBe(POSTS.length);
    const fresh = await app.http().get('/api/v1/statements?limit=1').expect(200);
    expect(fresh.body.items[0].text).toBe('Arrives while a reader pages.');
  });

  it('searches the text and filters by authored time, account and status', async () => {
    const search = await app.http().get('/api/v1/statements?q=sanctions').expect(200);
    expect(search.body.items.map((i: { text: string }) => i.text).sort()).toEqual([
      'New sanctions against the banking sector.',
      'Sanctions package adopted by the Council.',
    ]);
    const phrase = await app
      .http()
      .get(`/api/v1/statements?q=${encodeURIComponent('"banking sector"')}`)
      .expect(200);
    expect(phrase.body.items).toHaveLength(1);
    const march = await app
      .http()
      .get(`/api/v1/statements?since=2022-03-01T00:00:00Z&until=2022-03-12T00:00:00Z&accountId=${accountId}`)
      .expect(200);
    expect(march.body.items.map((i: { authoredAt: string }) => i.authoredAt).sort()).toEqual([
      '2022-03-05T10:00:00.000Z',
      '2022-03-10T10:00:00.000Z',
    ]);
    expect((await app.http().get('/api/v1/statements?status=deleted').expect(200)).body.items).toEqual([]);
  });

  it('answers bad queries with 400 and a message per field', async () => {
    const res = await app
      .http()
      .get('/api/v1/statements?limit=0&since=yesterday&cursor=abc&extra=1')
      .expect(400);
    const text = JSON.stringify(res.body.message);
    expect(text).toContain('limit');
    expect(text).toContain('since');
    expect(text).toContain('cursor');
    expect(text).toContain('extra');
    // ISO 8601 forms JavaScript cannot read, a year BC, a day that does not exist: each named, none a silent 200
    for (const since of ['2026-W01', '20260101', '2026-01-01T10', '-2027-01-01T00:00:00Z', '2026-02-30']) {
      const refused = await app.http().get('/api/v1/statements').query({ since }).expect(400);
      expect(JSON.stringify(refused.body.message)).toContain(
        'since: a date such as 2022-02-27, or an RFC 3339 time with its zone such as 2022-02-27T08:00:00Z',
      );
    }
    await app.http().get('/api/v1/statements?until=2026-01-01T10:00:00.5%2B02:00').expect(200);
    await app.http().get('/api/v1/statements?cursor=9999999999999999999').expect(400);
    const nul = await app.http().get('/api/v1/statements?q=%00').expect(400);
    expect(nul.body.error).toBe('invalid-input');
    // a URL holding a NUL (which PostgreSQL's text cannot store) or a line break is refused with the field named
    const controlCharacter =
      'holds a control character (such as \\u0000 or a line break), which no URL has; send the URL as written';
    for (const [path, body] of [
      ['/api/v1/captures', { url: `${mastodon.origin}/@mfa/1\u0000/x` }],
      ['/api/v1/accounts', { url: `${mastodon.origin}/@m\u0000fa` }],
      ['/api/v1/subscriptions', { url: 'https://newsroom.example/ho\nok', events: ['posted'] }],
      [
        '/api/v1/extractions',
        { text: 'A quote. — Someone (@someone) March 1, 2024', sourceUrl: 'https://n.example/a\u0001b' },
      ],
    ] as const) {
      const refused = await app.write('post', path).send(body).expect(400);
      const field = 'url' in body ? 'url' : 'sourceUrl';
      expect(refused.body.message).toContain(`${field}: ${controlCharacter}`);
    }
    // around a URL, a line break is dropped as a URL parser drops it
    const pasted = await app
      .write('post', '/api/v1/captures')
      .send({ url: ` ${mastodon.origin}/@mfa/1\r\n` });
    expect(pasted.status).toBe(202);
    const [request]: { url: string }[] = await app.db.query(
      `SELECT url FROM capture_requests WHERE id = $1`,
      [pasted.body.jobId],
    );
    expect(request.url).toBe(`${mastodon.origin}/@mfa/1`);
    await app.http().get('/api/v1/statements/not-a-uuid').expect(400);
    await app.http().get('/api/v1/statements/00000000-0000-4000-8000-000000000000').expect(404);
    await app.http().get('/api/v1/artifacts/XYZ').expect(400);
    await app
      .http()
      .get(`/api/v1/artifacts/${'0'.repeat(64)}`)
      .expect(404);
  });

  it('serves raw artifacts so that captured markup cannot run in our origin', async () => {
    const [row]: { sha256: string }[] = await app.db.query('SELECT sha256 FROM artifacts LIMIT 1');
    const res = await app.http().get(`/api/v1/artifacts/${row.sha256}`).expect(200);
    expect(res.headers['content-security-policy']).toContain('sandbox');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('pauses, resumes and stops tracking without losing the archive', async () => {
    // a deferral from before a pause is not shown, or counted, after it
    await app.db.query(`UPDATE accounts SET deferred_since = now() - interval '1 hour' WHERE id = $1`, [
      accountId,
    ]);
    expect((await app.http().get(`/api/v1/accounts/${accountId}`).expect(200)).body.deferredSince).toEqual(
      expect.any(String),
    );
    const paused = await app
      .write('patch', `/api/v1/accounts/${accountId}`)
      .send({ paused: true })
      .expect(200);
    expect(paused.body).toMatchObject({ paused: true, nextPollAt: null });
    const resumed = await app
      .write('patch', `/api/v1/accounts/${accountId}`)
      .send({ paused: false, pollIntervalSeconds: 120 })
      .expect(200);
    expect(resumed.body).toMatchObject({ paused: false, pollIntervalSeconds: 120, deferredSince: null });
    await app
      .write('patch', `/api/v1/accounts/${accountId}`)
      .send({ pollIntervalSeconds: 'often' })
      .expect(400);
    // null keeps the interval, as a field left out does
    const unchanged = await app
      .write('patch', `/api/v1/accounts/${accountId}`)
      .send({ pollIntervalSeconds: null })
      .expect(200);
    expect(unchanged.body).toMatchObject({ pollIntervalSeconds: 120 });
    await app.write('delete', `/api/v1/accounts/${accountId}`).expect(204);
    expect((await app.http().get('/api/v1/accounts').expect(200)).body.items).toEqual([]);
    expect((await app.http().get(`/api/v1/accounts/${accountId}`).expect(200)).body.tracking).toBe(false);
    const statements = await app
      .http()
      .get(`/api/v1/statements?accountId=${accountId}&limit=200`)
      .expect(200);
    expect(statements.body.items).toHaveLength(POSTS.length + 1);
    // tracking again is allowed after a stop
    await app
      .write('post', '/api/v1/accounts')
      .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 60 })
      .expect(201);
  });

  it('lists the accounts no longer tracked and those known from captures, tracked only by default', async () => {
    // an account the archive knows from an on-demand capture of one of its posts, never tracked
    mastodon.addAccount({ username: 'embassy', displayName: 'Embassy' });
    const post = mastodon.publish('embassy', { content: '<p>Consular hours change on Monday.</p>' });
    const capture = await app.write('post', '/api/v1/captures').send({ url: post.url }).expect(202);
    await waitFor('the capture of the untracked account', async () => {
      const res = await app.http().get(`/api/v1/captures/${capture.body.jobId}`).expect(200);
      return res.body.state === 'completed' ? true : undefined;
    });
    await app.write('delete', `/api/v1/accounts/${accountId}`).expect(204);
    type Listed = { id: string; handle: string; tracking: boolean };
    const list = async (query: string) =>
      (await app.http().get(`/api/v1/accounts${query}`).expect(200)).body as {
        items: Listed[];
        nextCursor: string | null;
      };
    try {
      // the default, as before: the tracked accounts only (none now), all of them on one page
      expect(await list('')).toEqual({ items: [], nextCursor: null });
      expect(await list('?tracking=true')).toEqual({ items: [], nextCursor: null });
      const others = await list('?tracking=false');
      expect(others.nextCursor).toBeNull();
      expect(others.items.map((a) => a.tracking)).toEqual([false, false]);
      const embassy = others.items.find((a) => a.id !== accountId);
      expect(others.items.map((a) => a.id)).toContain(accountId);
      expect(embassy?.handle).toMatch(/^embassy@/);
      // the id found there is the one the rest of the API takes
      const statements = await app.http().get(`/api/v1/statements?accountId=${embassy?.id}`).expect(200);
      expect(statements.body.items.map((i: { text: string }) => i.text)).toEqual([
        'Consular hours change on Monday.',
      ]);
      expect((await list('?tracking=all')).items).toEqual(others.items);
    } finally {
      await app
        .write('post', '/api/v1/accounts')
        .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 60 })
        .expect(201);
    }
  });

  it('pages through accounts oldest first, each once, however close their creation times', async () => {
    // six accounts created within three microseconds, two at each: a cursor must keep the microseconds and the id
    const inserted: { id: string }[] = await app.db.query(
      `INSERT INTO accounts (platform, handle, external_id, profile_url, source_url, tracking, poll_interval_seconds,
                             next_poll_at, created_at)
       SELECT 'mastodon', 'paged' || n || '@diplo.example', 'paged-' || n, 'https://diplo.example/@paged' || n,
              'https://diplo.example', n % 3 = 0, 3600, now() + interval '1 day',
              timestamptz '2020-01-01T00:00:00.000001Z' + (n / 2) * interval '1 microsecond'
       FROM generate_series(1, 6) AS n
       RETURNING id`,
    );
    try {
      for (const tracking of ['true', 'false', 'all']) {
        const expected: { id: string }[] = await app.db.query(
          `SELECT id FROM accounts WHERE $1 = 'all' OR tracking = ($1 = 'true') ORDER BY created_at, id`,
          [tracking],
        );
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const query: Record<string, string> = { tracking, limit: '2', ...(cursor ? { cursor } : {}) };
          const page = await app.http().get('/api/v1/accounts').query(query).expect(200);
          expect(page.body.items.length).toBeLessThanOrEqual(2);
          seen.push(...page.body.items.map((a: { id: string }) => a.id));
          cursor = page.body.nextCursor;
          expect(seen.length).toBeLessThanOrEqual(expected.length);
        } while (cursor);
        expect([tracking, seen]).toEqual([tracking, expected.map((r) => r.id)]);
      }
      // without a limit, 200 a page: a small install sees every account at once
      const all = await app.http().get('/api/v1/accounts?tracking=all').expect(200);
      expect(all.body.nextCursor).toBeNull();
      expect(all.body.items.length).toBeGreaterThanOrEqual(inserted.length);
      for (const query of [
        'tracking=yes',
        'tracking=',
        'cursor=abc',
        'cursor=12',
        'limit=0',
        'limit=1001',
        'page=2',
      ]) {
        const refused = await app.http().get(`/api/v1/accounts?${query}`).expect(400);
        expect([query, JSON.stringify(refused.body.message)]).toEqual([
          query,
          expect.stringContaining(query.split('=')[0]),
        ]);
      }
      await app.http().get('/api/v1/accounts?limit=1000').expect(200);
    } finally {
      await app.db.query(`DELETE FROM accounts WHERE id = ANY($1::uuid[])`, [inserted.map((r) => r.id)]);
    }
  });

  it('shows on /health the jobs of every queue a worker runs', async () => {
    const names = Object.values(QueueName);
    // a webhook round that waits an hour: the worker leaves it alone while this test looks
    const webhooks = new Queue(
      QueueName.Webhooks,
      bullOptions({ redisUrl: env.redisUrl, queuePrefix: env.queuePrefix }),
    );
    const job = await webhooks.add('deliver-webhooks', {}, { jobId: 'health-probe', delay: 3_600_000 });
    try {
      const health = await app.http().get('/health').expect(200);
      expect(Object.keys(health.body.queues).sort()).toEqual([...names].sort());
      // each in the shape the poll queue's counts have always had
      const states = Object.keys(health.body.queues.poll);
      expect(states).toEqual(expect.arrayContaining(['waiting', 'active', 'delayed', 'failed']));
      const shape = Object.fromEntries(states.map((state) => [state, expect.any(Number)]));
      for (const name of names) expect([name, health.body.queues[name]]).toEqual([name, shape]);
      expect(health.body.queues[QueueName.Webhooks].delayed).toBe(1);
      const metrics = (await app.http().get('/metrics').expect(200)).text;
      for (const name of names)
        expect(metrics).toContain(`verbatim_queue_jobs{queue="${name}",state="failed"}`);
      expect(metrics).toContain('verbatim_queue_jobs{queue="webhooks",state="delayed"} 1\n');
    } finally {
      await job.remove();
      await webhooks.close();
    }
  });

  it('publishes its OpenAPI document, health and Prometheus metrics', async () => {
    const doc = await app.http().get('/api/docs/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/accounts', '/api/v1/statements/{id}', '/api/v1/captures']),
    );
    const health = await app.http().get('/health').expect(200);
    expect(health.body.checks).toEqual({ database: { status: 'up' }, redis: { status: 'up' } });
    const metrics = await app.http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/verbatim_polls_total\{platform="mastodon",outcome="captured"\} \d+/);
    expect(metrics.text).toContain('verbatim_queue_jobs{queue="poll",state="waiting"}');
    // read from the process's guarded HTTP client: its bound, and what it is receiving now
    expect(metrics.text).toMatch(/verbatim_http_body_bytes\{kind="limit"\} [1-9]\d*\n/);
    expect(metrics.text).toMatch(/verbatim_http_body_bytes\{kind="in_flight"\} \d+\n/);
    expect(metrics.text).toContain('verbatim_accounts_deferred 0\n');
    expect(metrics.text).toContain('verbatim_accounts_deferred_longest_seconds 0\n');
  });

  it('counts on /metrics the tracked accounts whose polls are deferred for our own load, and the longest wait', async () => {
    // tracked, deferred for an hour, and not due within the test: no poll clears the mark meanwhile
    const [{ id }]: { id: string }[] = await app.db.query(
      `INSERT INTO accounts (platform, handle, external_id, profile_url, source_url, tracking, poll_interval_seconds,
                             next_poll_at, deferred_since)
       VALUES ('mastodon', 'deferred@diplo.example', 'deferred-1', 'https://diplo.example/@deferred',
               'https://diplo.example', true, 3600, now() + interval '1 day', now() - interval '1 hour')
       RETURNING id`,
    );
    try {
      const metrics = (await app.http().get('/metrics').expect(200)).text;
      expect(metrics).toContain('verbatim_accounts_deferred 1\n');
      const longest = Number(/^verbatim_accounts_deferred_longest_seconds (\S+)$/m.exec(metrics)?.[1]);
      expect(longest).toBeGreaterThanOrEqual(3600);
      expect(longest).toBeLessThan(3600 + 600);
    } finally {
      await app.db.query(`DELETE FROM accounts WHERE id = $1`, [id]);
    }
  });

  it('answers /metrics without the deferral figures while their table is locked, and leaves no read behind', async () => {
    const deferredAccounts = (text: string) => /^verbatim_accounts_deferred (\S+)$/m.exec(text)?.[1];
    const waitingReads = async () =>
      Number(
        (
          await app.db.query(
            `SELECT count(*) AS n FROM pg_stat_activity
             WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()
               AND query LIKE '%min(deferred_since)%'`,
          )
        )[0].n,
      );
    const locker = app.db.createQueryRunner();
    await locker.connect();
    try {
      await locker.startTransaction();
      await locker.query('LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE');
      // three scrapes while the read cannot finish: each answers, unknown rather than zero (prom-client writes
      // NaN as `Nan`, which Prometheus reads case-blind)
      for (let i = 0; i < 3; i++)
        expect(deferredAccounts((await app.http().get('/metrics').expect(200)).text)).toMatch(/^nan$/i);
      expect(await waitingReads()).toBeLessThanOrEqual(1);
      // PostgreSQL cancels the read it gave up on: nothing keeps waiting for the lock
      await waitFor('the metrics read to be cancelled', async () => (await waitingReads()) === 0);
    } finally {
      await locker.rollbackTransaction().catch(() => undefined);
      await locker.release();
    }
    expect(deferredAccounts((await app.http().get('/metrics').expect(200)).text)).toBe('0');
  });

  it('has served every request above without entering nestjs-pino’s AsyncLocalStorage', () => {
    // The workers share this process in the single-machine install. nestjs-pino's request middleware ran each
    // request inside an AsyncLocalStorage, whose first run() turns promise hooks on for the whole process, for
    // good: every promise of every poll then paid for them. `enabled` is set by that first run() on Node 20
    // (later Node versions carry the context without promise hooks, and may not have the field).
    expect((storage as unknown as { enabled?: boolean }).enabled).not.toBe(true);
  });
});

describe('a private archive (VERBATIM_PUBLIC_READ=false)', () => {
  let env: TestEnvironment;
  let app: TestApp;

  beforeAll(async () => {
    env = await createTestEnvironment();
    app = await startTestApp(env.config({ VERBATIM_PUBLIC_READ: 'false' }));
  });

  afterAll(async () => {
    await app?.close();
    await env?.destroy();
  });

  it('needs a token to read, but not for health', async () => {
    const res = await app.http().get('/api/v1/statements').expect(401);
    expect(res.body.message).toContain('verbatim tokens create');
    await app.http().get('/api/v1/statements').set('Authorization', `Bearer ${app.token}`).expect(200);
    await app.http().get('/health').expect(200);
  });
});
