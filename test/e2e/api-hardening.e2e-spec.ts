import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { type AddressInfo } from 'node:net';
import { startFakeMastodon, type FakeMastodon } from '@app/testing/fake-mastodon';
import { TEST_HTTP_OPTIONS } from '@app/testing/test-http-client';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { GuardedHttpClient, systemResolver, type Resolver } from '@app/sources';
import { countRows, getRaw, startTestApp, type TestApp } from './support/app';

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** JSON nested `depth` levels deep, within the 256 kB body limit. */
const deepArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObjects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('API hardening: bad input is a 4xx that says why', () => {
  let env: TestEnvironment;
  let mastodon: FakeMastodon;
  let app: TestApp;
  let http: GuardedHttpClient;

  beforeAll(async () => {
    env = await createTestEnvironment();
    mastodon = await startFakeMastodon();
    mastodon.addAccount({ username: 'mfa', displayName: 'Ministry' });
    mastodon.addAccount({ username: 'embassy', displayName: 'Embassy' });
    // an internal name: it resolves to an address where nothing listens
    const resolve: Resolver = (host) =>
      host === 'feeds.internal.test'
        ? Promise.resolve([{ address: '127.0.0.1', family: 4 }])
        : systemResolver(host);
    // the app closes the client it is given
    http = new GuardedHttpClient(TEST_HTTP_OPTIONS, { resolve });
    app = await startTestApp(env.config({ VERBATIM_MIN_POLL_INTERVAL_SECONDS: '60' }), {
      roles: { api: true, worker: false },
      httpClient: http,
    });
  });

  afterAll(async () => {
    await app?.close();
    await mastodon?.close();
    await env?.destroy();
  });

  it('refuses URLs with a user name or password for tracking and capture, and stores nothing', async () => {
    const url = 'https://user:pass@example.org/feed.xml';
    for (const path of ['/api/v1/accounts', '/api/v1/captures']) {
      const res = await app.write('post', path).send({ url }).expect(400);
      expect(res.body.error).toBe('invalid-input');
      expect(res.body.message).toContain('URLs with a user name or password are not accepted');
      expect(res.body.message).toContain('https://example.org/feed.xml');
      expect(res.body.message).not.toContain('user:pass@');
    }
    expect(Object.values(await countRows(app.db)).every((n) => n === 0)).toBe(true);
    const [{ n }]: { n: string }[] = await app.db.query('SELECT count(*) AS n FROM capture_requests');
    expect(Number(n)).toBe(0);
  });

  it('names the host the user gave when a source cannot be reached, never the address it resolved to', async () => {
    const port = await closedPort();
    const res = await app
      .write('post', '/api/v1/accounts')
      .send({ url: `http://feeds.internal.test:${port}/feed.xml` })
      .expect(502);
    expect(res.body.message).toBe(`could not reach feeds.internal.test:${port}: connect ECONNREFUSED`);
    expect(JSON.stringify(res.body)).not.toContain('127.0.0.1');
  });

  it('refuses a PATCH below VERBATIM_MIN_POLL_INTERVAL_SECONDS and leaves the account as it was', async () => {
    const tracked = await app
      .write('post', '/api/v1/accounts')
      .send({ url: `${mastodon.origin}/@mfa`, pollIntervalSeconds: 120 })
      .expect(201);
    const before = await app.http().get(`/api/v1/accounts/${tracked.body.id}`).expect(200);

    const res = await app
      .write('patch', `/api/v1/accounts/${tracked.body.id}`)
      .send({ pollIntervalSeconds: 30, paused: true })
      .expect(400);

    expect(res.body.message).toBe(
      'pollIntervalSeconds: must be at least 60 (VERBATIM_MIN_POLL_INTERVAL_SECONDS)',
    );
    const after = await app.http().get(`/api/v1/accounts/${tracked.body.id}`).expect(200);
    expect(after.body).toEqual(before.body);
    expect(after.body).toMatchObject({ pollIntervalSeconds: 120, paused: false });
  });

  it('names the configured minimum for any interval below it, when tracking an account and when changing one', async () => {
    // the suite runs with VERBATIM_MIN_POLL_INTERVAL_SECONDS=60: 1 to 59 are refused as -1 is, by the same rule
    const belowMinimum = 'pollIntervalSeconds: must be at least 60 (VERBATIM_MIN_POLL_INTERVAL_SECONDS)';
    const url = `${mastodon.origin}/@embassy`;
    for (const pollIntervalSeconds of [-1, 0, 1, 59]) {
      const refused = await app
        .write('post', '/api/v1/accounts')
        .send({ url, pollIntervalSeconds })
        .expect(400);
      expect(refused.body.message).toBe(belowMinimum);
    }
    const tracked = await app
      .write('post', '/api/v1/accounts')
      .send({ url, pollIntervalSeconds: 60 })
      .expect(201);
    for (const pollIntervalSeconds of [-1, 0, 1, 59]) {
      const refused = await app
        .write('patch', `/api/v1/accounts/${tracked.body.id}`)
        .send({ pollIntervalSeconds })
        .expect(400);
      expect(refused.body.message).toBe(belowMinimum);
    }
    const after = await app.http().get(`/api/v1/accounts/${tracked.body.id}`).expect(200);
    expect(after.body).toMatchObject({ pollIntervalSeconds: 60 });
  });

  it.each(['1e2', '1.0', '+5', '%205', '5%20', '0x10', '1_0', '', 'Infinity'])(
    'refuses limit=%s on the lists: a whole number is written in decimal digits alone',
    async (limit) => {
      for (const list of ['/api/v1/statements', '/api/v1/quoted-statements']) {
        const res = await app.http().get(`${list}?limit=${limit}`).expect(400);
        expect(res.body.message).toEqual(['limit: must be a whole number']);
      }
    },
  );

  it('reads a limit in decimal digits, and names the bound a negative one breaks', async () => {
    for (const list of ['/api/v1/statements', '/api/v1/quoted-statements']) {
      await app.http().get(`${list}?limit=007`).expect(200);
      const negative = await app.http().get(`${list}?limit=-5`).expect(400);
      expect(negative.body.message).toEqual(['limit: must not be less than 1']);
    }
  });

  it.each([
    ['/api/v1/log/proof/inclusion?index=0&size=9007199254740993', 'size'],
    ['/api/v1/log/proof/inclusion?index=0&size=1e400', 'size'],
    ['/api/v1/log/proof/inclusion?index=-1&size=2', 'index'],
    ['/api/v1/log/proof/inclusion?index=1.5&size=2', 'index'],
    ['/api/v1/log/proof/inclusion?index=0&size=0x10', 'size'],
    ['/api/v1/log/proof/inclusion?index=0&size=%201', 'size'],
    ['/api/v1/log/proof/inclusion?index=0&index=1&size=2', 'index'],
    ['/api/v1/log/proof/consistency?from=1&to=9007199254740993', 'to'],
    ['/api/v1/log/proof/consistency?from=1e400&to=2', 'from'],
    ['/api/v1/log/proof/consistency?from=0x1&to=2', 'from'],
    ['/api/v1/log/entries?start=-1&end=2', 'start'],
    ['/api/v1/log/entries?start=0&end=18446744073709551616', 'end'],
    ['/api/v1/log/entries?start=1.5&end=2', 'start'],
  ])('answers %s with 400 naming %s', async (path, field) => {
    const res = await app.http().get(path).expect(400);
    expect(res.body.error).toBe('invalid-input');
    expect(res.body.message).toContain(
      path.includes(`${field}=0&${field}=`)
        ? `${field}: given more than once; give it once`
        : `${field}: must be a whole number from ${field === 'index' || field === 'start' ? 0 : 1} to 9007199254740991, in decimal digits`,
    );
  });

  it('answers the largest safe numbers with the log’s own 400, not a 500', async () => {
    const big = Number.MAX_SAFE_INTEGER;
    await app
      .http()
      .get(`/api/v1/log/proof/inclusion?index=${big - 1}&size=${big}`)
      .expect(400);
    await app.http().get(`/api/v1/log/proof/consistency?from=1&to=${big}`).expect(400);
    const entries = await app
      .http()
      .get(`/api/v1/log/entries?start=${big - 1}&end=${big}`)
      .expect(200);
    // past the published size: no entries, and a range that does not end before it starts
    expect(entries.body).toEqual({ start: big - 1, end: big - 1, entries: [] });
  });

  it('refuses, naming the field, what could never match: an unknown platform, a version or delivery past its type', async () => {
    const platform = await app.http().get('/api/v1/statements?platform=mastadon').expect(400);
    expect(platform.body.message).toMatch(/^platform: "mastadon" is no platform this archive reads; one of /);
    for (const name of ['x', 'mastodon', 'bluesky', 'telegram', 'feed', 'web'])
      expect(platform.body.message.split('one of ')[1].split(', ')).toContain(name);
    await app.http().get('/api/v1/statements?platform=mastodon').expect(200);

    const id = '6f1c0b52-3c1e-4f7a-9a55-2b0f4c1d8e90';
    // only decimal digits name a version: 1e0, +1 and 0x1 are not read as 1
    for (const version of ['3000000000', '0', '1.5', 'abc', '1e0', '%2B1', '0x1']) {
      const res = await app.http().get(`/api/v1/statements/${id}/evidence?version=${version}`).expect(400);
      expect(res.body.message).toEqual(['version: a version number such as 1']);
    }
    await app.http().get(`/api/v1/statements/${id}/evidence?version=2147483647`).expect(404);
    const both = await app
      .http()
      .get(`/api/v1/statements/${id}/evidence?version=1&observation=${id}`)
      .expect(400);
    expect(both.body.message).toBe(
      'version and observation: ask for one bundle, of a version or of an observation, not both',
    );

    const retry = (delivery: string) =>
      app.write('post', `/api/v1/subscriptions/${id}/deliveries/${delivery}/retry`);
    const past = await retry('9223372036854775808').expect(400);
    expect(past.body.message).toBe('deliveryId: a delivery id such as 42, not "9223372036854775808"');
    await retry('9223372036854775807').expect(404);

    const nul = await app
      .write('patch', `/api/v1/subscriptions/${id}`)
      .send({ keywords: ['war\u0000crimes'] })
      .expect(400);
    expect(nul.body.message).toEqual(['keywords: must not contain NUL characters']);
    // a keyword of spaces would be kept and never match: the subscription would stay silent
    for (const method of ['post', 'patch'] as const) {
      const blank = await app
        .write(method, method === 'post' ? '/api/v1/subscriptions' : `/api/v1/subscriptions/${id}`)
        .send({
          url: 'https://newsroom.example.org/hook',
          events: ['statement.created'],
          keywords: ['war', '  '],
        })
        .expect(400);
      expect(blank.body.message).toEqual([
        'keywords: each needs a letter, digit or sign to match; spaces alone match nothing',
      ]);
    }
  });

  it.each([
    ['/api/v1/accounts', 'arrays', deepArrays(100_000)],
    ['/api/v1/accounts', 'objects', deepObjects(40_000)],
    ['/api/v1/captures', 'arrays', deepArrays(100_000)],
    ['/api/v1/captures', 'objects', deepObjects(40_000)],
  ])('answers POST %s with a body of deeply nested %s with 400', async (path, _kind, body) => {
    const res = await app
      .write('post', path)
      .set('Content-Type', 'application/json')
      .send(`{"url":${body}}`)
      .expect(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'invalid-input',
      message: 'request body is nested too deeply (more than 64 levels of arrays and objects)',
    });
  });

  it('refuses text that is not well-formed Unicode with a 400 naming the field, and stores nothing', async () => {
    const before = await app.db.query(`SELECT count(*) AS n FROM quoted_statements`);
    // JSON can escape half a surrogate pair; UTF-8, and the canonical JSON a record is hashed as, cannot hold one
    const res = await app
      .write('post', '/api/v1/extractions')
      .set('Content-Type', 'application/json')
      .send('{"text":"Hello \\ud800 world \u2014 Some One (@some_one) March 3, 2024"}')
      .expect(400);
    expect(res.body.message).toEqual([
      'text: not well-formed Unicode (a lone surrogate, such as \\ud800); send the text as it is written',
    ]);
    await app
      .write('post', '/api/v1/accounts')
      .set('Content-Type', 'application/json')
      .send('{"url":"https://mastodon.example/@\\udc00x"}')
      .expect(400);
    expect(await app.db.query(`SELECT count(*) AS n FROM quoted_statements`)).toEqual(before);
    // a whole pair is a character like any other
    await app
      .write('post', '/api/v1/extractions')
      .set('Content-Type', 'application/json')
      .send('{"text":"Hello \\ud83d\\ude00 world"}')
      .expect((r) => expect(r.status).toBeLessThan(300));
  });

  it('says what to fix in one message a field: a repeated parameter, a value of the wrong kind', async () => {
    const twice = await app.http().get('/api/v1/statements?q=a&q=b').expect(400);
    expect(twice.body.message).toEqual(['q: given more than once; give it once']);
    const page = await app.http().get('/search?q=a&status=active&status=deleted').expect(400);
    expect(page.text).toContain('status: given more than once; give it once');
    // a limit that is no number is that, not also out of bounds
    const word = await app.http().get('/api/v1/statements?limit=abc').expect(400);
    expect(word.body.message).toEqual(['limit: must be a whole number']);
    const big = await app.http().get('/api/v1/statements?limit=500').expect(400);
    expect(big.body.message).toEqual(['limit: must not be greater than 200']);
    const notText = await app
      .write('post', '/api/v1/subscriptions')
      .send({ url: 'https://newsroom.example.org/hook', events: ['statement.created'], keywords: [42] })
      .expect(400);
    expect(notText.body.message).toEqual(['keywords: each value must be a string']);
  });

  it('calls a bare JSON value a bare value, and text that is not JSON not JSON', async () => {
    for (const body of ['null', '42', ' "text"']) {
      const res = await app
        .write('post', '/api/v1/accounts')
        .set('Content-Type', 'application/json')
        .send(body)
        .expect(400);
      expect(res.body.message).toBe(
        'request body must be a JSON object, not a bare value such as null or a number',
      );
    }
    const broken = await app
      .write('post', '/api/v1/accounts')
      .set('Content-Type', 'application/json')
      .send('nul')
      .expect(400);
    expect(broken.body.message).toMatch(/^request body is not valid JSON: /);
  });

  it('still takes brackets inside strings for what they are', async () => {
    const res = await app
      .write('post', '/api/v1/captures')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ url: `https://example.org/${'['.repeat(2000)}` }))
      .expect(202);
    expect(res.body.jobId).toEqual(expect.any(String));
  });

  describe('artifact downloads', () => {
    const bytes = randomBytes(9 * 1024 * 1024 + 7);
    const sha256 = createHash('sha256').update(bytes).digest('hex');

    beforeAll(async () => {
      await app.db.query(`INSERT INTO artifacts (sha256, media_type, size, bytes) VALUES ($1, $2, $3, $4)`, [
        sha256,
        'text/html; charset=utf-8',
        bytes.length,
        bytes,
      ]);
    });

    const download = (path: string) => getRaw(app, path);

    it('streams a 9 MB artifact byte-exact with its length and security headers', async () => {
      const res = await download(`/api/v1/artifacts/${sha256}`).expect(200);

      expect(
        createHash('sha256')
          .update(res.body as Buffer)
          .digest('hex'),
      ).toBe(sha256);
      expect(res.headers['content-length']).toBe(String(bytes.length));
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="${sha256}"`);
      expect(res.headers.etag).toBe(`"${sha256}"`);
      expect(res.headers.digest).toBe(`sha-256=${Buffer.from(sha256, 'hex').toString('base64')}`);
    });

    it('serves one byte range, HEAD without a body, and 304 for its ETag', async () => {
      const start = 3 * 1024 * 1024 - 5;
      const end = 5 * 1024 * 1024 + 9;
      const part = await download(`/api/v1/artifacts/${sha256}`)
        .set('Range', `bytes=${start}-${end}`)
        .expect(206);
      expect(part.headers['content-range']).toBe(`bytes ${start}-${end}/${bytes.length}`);
      expect((part.body as Buffer).equals(bytes.subarray(start, end + 1))).toBe(true);

      await app
        .http()
        .get(`/api/v1/artifacts/${sha256}`)
        .set('Range', `bytes=${bytes.length}-`)
        .expect(416)
        .expect('Content-Range', `bytes */${bytes.length}`);

      const head = await app.http().head(`/api/v1/artifacts/${sha256}`).expect(200);
      expect(head.headers['content-length']).toBe(String(bytes.length));

      await app.http().get(`/api/v1/artifacts/${sha256}`).set('If-None-Match', `"${sha256}"`).expect(304);
    });
  });
});

describe('VERBATIM_PUBLIC_READ: what needs a token', () => {
  let env: TestEnvironment;
  let publicApp: TestApp;
  let privateApp: TestApp;
  let privateWorker: TestApp;

  beforeAll(async () => {
    env = await createTestEnvironment();
    publicApp = await startTestApp(env.config(), { roles: { api: true, worker: false } });
    privateApp = await startTestApp(env.config({ VERBATIM_PUBLIC_READ: 'false' }), {
      roles: { api: true, worker: false },
    });
    privateWorker = await startTestApp(env.config({ VERBATIM_PUBLIC_READ: 'false' }), {
      roles: { api: false, worker: true },
    });
  });

  afterAll(async () => {
    await privateWorker?.close();
    await privateApp?.close();
    await publicApp?.close();
    await env?.destroy();
  });

  const DOCS = ['/api/docs', '/api/docs/openapi.json', '/api/docs/openapi.yaml'];
  const READS = ['/metrics', ...DOCS, '/api/v1/statements', '/log/tile/entries/000'];

  it('public: reads, metrics and docs need no token; health shows the queues', async () => {
    for (const path of READS) {
      const res = await publicApp.http().get(path);
      expect([path, res.status]).not.toEqual([path, 401]);
    }
    const doc = await publicApp.http().get('/api/docs/openapi.json').expect(200);
    expect(doc.body.paths['/api/v1/accounts']).toBeDefined();
    const health = await publicApp.http().get('/health').expect(200);
    expect(health.body.queues).toEqual(expect.objectContaining({ poll: expect.any(Object) }));
  });

  it('private: metrics, docs, reads and entry tiles need a token, and accept one', async () => {
    for (const path of READS) {
      const anonymous = await privateApp.http().get(path).expect(401);
      expect(anonymous.body).toMatchObject({ statusCode: 401, error: 'unauthorized' });
      expect(anonymous.body.message).toContain('this archive is not public');
      await privateApp.http().get(path).set('Authorization', 'Bearer vbt_unknown').expect(401);
      const res = await privateApp.http().get(path).set('Authorization', `Bearer ${privateApp.token}`);
      expect([path, res.status]).not.toEqual([path, 401]);
    }
  });

  it('private: a worker-only process keeps /metrics private too', async () => {
    await privateWorker.http().get('/metrics').expect(401);
    await privateWorker
      .http()
      .get('/metrics')
      .set('Authorization', `Bearer ${privateWorker.token}`)
      .expect(200);
    await privateWorker.http().get('/health').expect(200);
  });

  it('private: health stays public and says up or down only', async () => {
    const health = await privateApp.http().get('/health').expect(200);
    expect(health.body).toEqual({
      status: 'ok',
      checks: { database: { status: 'up' }, redis: { status: 'up' } },
      queues: null,
    });
  });

  it('private: the log key, checkpoints and hash tiles stay public for verifiers', async () => {
    const key = await privateApp.http().get('/log/key').expect(200);
    expect(key.text).toMatch(/^[^+\s]+\+[0-9a-f]{8}\+/);
    for (const path of ['/log/checkpoint', '/log/tile/0/000']) {
      const res = await privateApp.http().get(path);
      expect([path, res.status]).not.toEqual([path, 401]);
    }
    // an encoded "entries" reaches the same handler, which still asks for a token
    await privateApp.http().get('/log/tile/%65ntries/000').expect(401);
  });
});
