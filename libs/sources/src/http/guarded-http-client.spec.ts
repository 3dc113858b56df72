import { TEST_HTTP_OPTIONS } from '@app/testing/test-http-client';
import { once } from 'node:events';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { ErrorCode, SourceError } from '@app/core';
import { type Resolver, isPublicAddress } from './address-guard';
import {
  ANNOUNCED_BYTES_TAKEN_FIRST,
  type GuardedHttpClientDeps,
  GuardedHttpClient,
} from './guarded-http-client';
import { BodyTooLarge, type HttpClientOptions } from './http-client';

const options: HttpClientOptions = TEST_HTTP_OPTIONS;

interface TestServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  requests: IncomingMessage[];
  connections: number;
  server: Server;
}

const servers: TestServer[] = [];
const clients: GuardedHttpClient[] = [];

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const server = createServer();
  const state: TestServer = { origin: '', port: 0, requests: [], connections: 0, server };
  server.on('connection', () => state.connections++);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    state.requests.push(req);
    handler(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  state.port = (server.address() as AddressInfo).port;
  state.origin = `http://127.0.0.1:${state.port}`;
  servers.push(state);
  return state;
}

function client(overrides: Partial<HttpClientOptions> = {}, deps?: GuardedHttpClientDeps): GuardedHttpClient {
  const c = new GuardedHttpClient({ ...options, ...overrides }, deps);
  clients.push(c);
  return c;
}

/** The SourceError a promise rejected with (fails the test when it resolved or threw something else). */
async function sourceError(promise: Promise<unknown>): Promise<SourceError> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  if (!(error instanceof SourceError)) throw error;
  return error;
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error('the condition never held');
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const { server } of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

describe('GuardedHttpClient: bytes and headers', () => {
  it('returns a gzip body exactly as received, with identity encoding asked and the user agent sent', async () => {
    const compressed = gzipSync(Buffer.from('{"hello":"world"}'));
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(compressed);
    });

    const response = await client().request(`${srv.origin}/data`);

    expect(response.status).toBe(200);
    expect(response.body.equals(compressed)).toBe(true);
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.url).toBe(`${srv.origin}/data`);
    expect(response.redirects).toEqual([]);
    expect(srv.requests[0].headers['accept-encoding']).toBe('identity');
    expect(srv.requests[0].headers['user-agent']).toBe('Verbatim-test');
  });

  it('keeps identity encoding and the user agent even when the caller passes others', async () => {
    const srv = await serve((_req, res) => res.end('ok'));

    await client().request(srv.origin, {
      headers: { 'Accept-Encoding': 'gzip, br', 'User-Agent': 'curl', Accept: 'application/json' },
    });

    expect(srv.requests[0].headers['accept-encoding']).toBe('identity');
    expect(srv.requests[0].headers['user-agent']).toBe('Verbatim-test');
    expect(srv.requests[0].headers.accept).toBe('application/json');
  });

  it('joins repeated response headers', async () => {
    const srv = await serve((_req, res) => {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end();
    });

    const response = await client().request(srv.origin);

    expect(response.headers['set-cookie']).toBe('a=1, b=2');
  });

  it('sends a POST body', async () => {
    const srv = await serve((req, res) => req.pipe(res));

    const response = await client().request(srv.origin, { method: 'POST', body: 'payload' });

    expect(srv.requests[0].method).toBe('POST');
    expect(response.body.toString()).toBe('payload');
  });
});

describe('GuardedHttpClient: size limit', () => {
  it('refuses a body whose Content-Length exceeds the limit before reading it', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '2000' });
      res.write('only the start'); // and hangs: reading would end in a timeout, not a refusal
    });

    const error = await sourceError(client({ maxBytes: 1000, totalTimeoutMs: 2000 }).request(srv.origin));

    expect(error.code).toBe(ErrorCode.SourceRefused);
    expect(error.message).toContain('response body exceeds 1000 bytes');
  });

  it('stops reading a chunked body once it exceeds the per-request limit, and drops the connection', async () => {
    let serverSideClosed: Promise<unknown> = Promise.resolve();
    const srv = await serve((_req, res) => {
      serverSideClosed = once(res, 'close');
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(Buffer.alloc(600));
      res.write(Buffer.alloc(600));
      // never ends: only the client giving up finishes this exchange
    });

    const error = await sourceError(client().request(srv.origin, { maxBytes: 1000 }));

    expect(error.code).toBe(ErrorCode.SourceRefused);
    expect(error.message).toContain('response body exceeds 1000 bytes');
    await serverSideClosed;
  });

  it('does not hold the length a HEAD response declares against the limit', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '5000' });
      res.end();
    });

    const response = await client({ maxBytes: 1000 }).request(srv.origin, { method: 'HEAD' });

    expect(response.status).toBe(200);
    expect(response.body).toHaveLength(0);
  });

  it('accepts a body of exactly the limit', async () => {
    const srv = await serve((_req, res) => res.end(Buffer.alloc(1000, 7)));

    const response = await client({ maxBytes: 1000 }).request(srv.origin);

    expect(response.body).toEqual(Buffer.alloc(1000, 7));
  });
});

describe('GuardedHttpClient: bodies received at once', () => {
  /** A server that sends a head and `bytes` of body, then keeps the exchange open (its body never ends). */
  async function dribbling(bytes: number, headers: Record<string, string> = {}) {
    const state = { closed: Promise.resolve() as Promise<unknown> };
    const srv = await serve((_req, res) => {
      state.closed = once(res, 'close');
      res.writeHead(200, { 'content-type': 'application/octet-stream', ...headers });
      res.write(Buffer.alloc(bytes));
    });
    return Object.assign(srv, state);
  }

  it('fails a request whose body would take the bodies being received past the shared bound, and drops it', async () => {
    const slow = await dribbling(700);
    const second = await dribbling(400);
    const c = client({ maxBytes: 1000, maxBytesInFlight: 1000, totalTimeoutMs: 1500 });
    const slowAnswer = sourceError(c.request(slow.origin));
    await waitFor(() => c.bytesInFlight === 700);

    const error = await sourceError(c.request(second.origin));

    // our own load, not the source's doing: tried again soon, and not counted against the source
    expect(error.code).toBe(ErrorCode.LocalOverload);
    expect(error.retryAt!.getTime()).toBeGreaterThan(Date.now());
    expect(error.message).toBe(
      `127.0.0.1:${second.port}: response not read: this process would be receiving more than 1000 bytes of ` +
        `response bodies at once (VERBATIM_HTTP_BYTES_IN_FLIGHT)`,
    );
    await second.closed;
    expect(c.bytesInFlight).toBe(700); // the refused one gave back what it took
    // the slow one is still read, and ends as its own deadline says
    expect((await slowAnswer).message).toContain('timed out');
    await slow.closed;
    expect(c.bytesInFlight).toBe(0);
  });

  it('takes an announced length before reading, so a body that cannot fit is refused before its first byte', async () => {
    const slow = await dribbling(100, { 'content-length': '600' });
    const announced = await dribbling(0, { 'content-length': '500' });
    const c = client({ maxBytes: 1000, maxBytesInFlight: 1000, totalTimeoutMs: 1500 });
    const slowAnswer = sourceError(c.request(slow.origin));
    await waitFor(() => c.bytesInFlight === 600);

    const error = await sourceError(c.request(announced.origin));

    expect(error.code).toBe(ErrorCode.LocalOverload);
    expect(error.message).toContain('response not read');
    expect(error.message).toContain('at once (VERBATIM_HTTP_BYTES_IN_FLIGHT)');
    await announced.closed;
    expect(c.bytesInFlight).toBe(600);
    await slowAnswer;
    expect(c.bytesInFlight).toBe(0);
  });

  it('takes only the first part of a large announced length before reading: a staller holds what it sent', async () => {
    const first = ANNOUNCED_BYTES_TAKEN_FIRST;
    // announces the whole bound, four times what is taken first, sends ten bytes, and stalls
    const staller = await dribbling(10, { 'content-length': String(4 * first) });
    const honest = await serve((_req, res) => res.end(Buffer.alloc(2 * first, 0x61)));
    const c = client({ maxBytes: 4 * first, maxBytesInFlight: 4 * first, totalTimeoutMs: 1500 });
    const stalled = sourceError(c.request(staller.origin));
    await waitFor(() => c.bytesInFlight === first);

    // taking the whole announced length would have left nothing for this one
    const read = await c.request(honest.origin);
    expect(read.body).toHaveLength(2 * first);
    expect(c.bytesInFlight).toBe(first);
    expect((await stalled).message).toContain('timed out');
    await staller.closed;
    expect(c.bytesInFlight).toBe(0);
  });

  it('does not ask a source at all while the bound is nearly full, and never allows a body the bound cannot hold', async () => {
    const slow = await dribbling(900);
    const unasked = await dribbling(10);
    const c = client({ maxBytes: 1000, maxBytesInFlight: 1000, totalTimeoutMs: 1500 });
    const slowAnswer = sourceError(c.request(slow.origin));
    await waitFor(() => c.bytesInFlight === 900);

    // less than an eighth of the bound is left
    const error = await sourceError(c.request(unasked.origin));

    expect(error.code).toBe(ErrorCode.LocalOverload);
    expect(error.message).toContain(`127.0.0.1:${unasked.port}: not asked:`);
    expect(unasked.requests).toHaveLength(0);
    await slowAnswer;

    // a caller's own limit above the whole bound is cut to it: too large, not an overload for ever
    const big = await serve((_req, res) => res.end(Buffer.alloc(1200)));
    const shared = client({ maxBytes: 500, maxBytesInFlight: 1000 });
    const tooLarge = await sourceError(shared.request(big.origin, { maxBytes: 2000 }));
    expect(tooLarge.code).toBe(ErrorCode.SourceRefused);
    expect(tooLarge.message).toContain('response body exceeds 1000 bytes');
  });

  it('gives the bytes back however a body ends: complete, cut off, too large, or past its deadline', async () => {
    const srv = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(Buffer.alloc(900, 1));
      if (req.url === '/cut') setTimeout(() => res.destroy(), 50);
      else if (req.url === '/large') res.write(Buffer.alloc(200));
      else if (req.url !== '/hang') res.end();
    });
    const c = client({ maxBytes: 1000, maxBytesInFlight: 1000, totalTimeoutMs: 500 });

    for (const path of ['/', '/cut', '/large', '/hang', '/']) {
      await c.request(`${srv.origin}${path}`).catch((error: unknown) => {
        if (!(error instanceof SourceError)) throw error;
      });
      expect(c.bytesInFlight).toBe(0);
    }
    expect((await c.request(srv.origin)).body).toEqual(Buffer.alloc(900, 1));
  });

  it('does not count a streamed download, whose bytes go to the consumer as they come', async () => {
    const srv = await serve((_req, res) => res.end(Buffer.alloc(5000, 2)));
    const c = client({ maxBytes: 10_000, maxBytesInFlight: 1000 });

    const received = await c.download(srv.origin, {}, async ({ body }) => {
      let bytes = 0;
      for await (const chunk of body as AsyncIterable<Buffer>) bytes += chunk.length;
      return bytes;
    });

    expect(received).toBe(5000);
  });
});

describe('GuardedHttpClient: timeouts', () => {
  it('times out when the server sends headers and then hangs', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });

    const error = await sourceError(client({ totalTimeoutMs: 300 }).request(srv.origin));

    expect(error.code).toBe(ErrorCode.SourceUnavailable);
    expect(error.message).toBe(`127.0.0.1:${srv.port}: request timed out after 300 ms`);
  });

  it('times out when the server never answers', async () => {
    const srv = await serve(() => undefined);

    const error = await sourceError(client({ totalTimeoutMs: 300 }).request(srv.origin));

    expect(error.code).toBe(ErrorCode.SourceUnavailable);
    expect(error.message).toContain('timed out after 300 ms');
    expect(srv.requests).toHaveLength(1);
  });

  it("names the request's own limit when it is shorter than the client's (a webhook's)", async () => {
    const srv = await serve(() => undefined);
    const c = client({ totalTimeoutMs: 20_000 });

    const buffered = await sourceError(c.request(srv.origin, { timeoutMs: 300 }));
    const streamed = await sourceError(
      c.download(srv.origin, { method: 'POST', body: '{}', timeoutMs: 300 }, () => Promise.resolve()),
    );

    expect(buffered.message).toBe(`127.0.0.1:${srv.port}: request timed out after 300 ms`);
    expect(streamed.message).toBe(`127.0.0.1:${srv.port}: request timed out after 300 ms`);
  });

  it("holds a download to its own limit when it is longer than the client's (a media file's)", async () => {
    // headers late and the body paused, each longer than the client's limit but within the download's
    // (past undici's coarse timers, which fire up to a second late)
    const srv = await serve((_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-length': '4' });
        res.write('ab');
        setTimeout(() => res.end('cd'), 1200);
      }, 1200);
    });
    const c = client({ totalTimeoutMs: 200 });
    const read = (timeoutMs: number) =>
      c.download(srv.origin, { timeoutMs }, async ({ body }) => {
        const chunks: Buffer[] = [];
        for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
        return Buffer.concat(chunks).toString();
      });

    expect(await read(5000)).toBe('abcd');
    const late = await sourceError(read(1000));
    expect(late.message).toBe(`127.0.0.1:${srv.port}: request timed out after 1000 ms`);
  });

  it('times out when the connection cannot be made', async () => {
    const neverResolves: Resolver = () => new Promise(() => undefined);

    const error = await sourceError(
      client({ connectTimeoutMs: 200 }, { resolve: neverResolves }).request('http://stuck.test/'),
    );

    expect(error.code).toBe(ErrorCode.SourceUnavailable);
    expect(error.message).toBe('stuck.test: connect timed out after 200 ms');
  });
});

describe('GuardedHttpClient: redirects', () => {
  /** /hop/N redirects (relative Location) to /hop/N-1; /hop/0 answers. */
  const chain = () =>
    serve((req, res) => {
      const n = Number(req.url?.split('/')[2]);
      if (n === 0) return res.end('arrived');
      res.writeHead(302, { location: `/hop/${n - 1}` });
      res.end('moved');
    });

  it('follows up to maxRedirects and records each URL that redirected', async () => {
    const srv = await chain();

    const response = await client().request(`${srv.origin}/hop/5`);

    expect(response.body.toString()).toBe('arrived');
    expect(response.url).toBe(`${srv.origin}/hop/0`);
    expect(response.redirects).toEqual([5, 4, 3, 2, 1].map((n) => `${srv.origin}/hop/${n}`));
  });

  it('refuses one redirect more than maxRedirects', async () => {
    const srv = await chain();

    const error = await sourceError(client().request(`${srv.origin}/hop/6`));

    expect(error.code).toBe(ErrorCode.SourceRefused);
    expect(error.message).toContain('too many redirects');
    expect(srv.requests).toHaveLength(6);
  });

  it('refuses a redirect to a scheme other than http and https', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(301, { location: 'ftp://files.example/x' });
      res.end();
    });

    const error = await sourceError(client().request(srv.origin));

    expect(error.code).toBe(ErrorCode.SourceRefused);
    expect(error.message).toContain('unsupported scheme ftp:');
  });

  it('refuses a URL with another scheme without any request', async () => {
    const error = await sourceError(client().request('file:///etc/passwd'));

    expect(error.code).toBe(ErrorCode.SourceRefused);
    expect(error.message).toContain('unsupported scheme file:');
  });

  it('turns a POST into a bodiless GET on 303, and keeps it on 307', async () => {
    const seen: string[] = [];
    const srv = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${body}`);
        if (req.url === '/see-other') res.writeHead(303, { location: '/done' });
        if (req.url === '/temporary') res.writeHead(307, { location: '/done' });
        res.end();
      });
    });
    const c = client();

    await c.request(`${srv.origin}/see-other`, { method: 'POST', body: 'x=1' });
    await c.request(`${srv.origin}/temporary`, { method: 'POST', body: 'x=1' });

    expect(seen).toEqual(['POST /see-other x=1', 'GET /done ', 'POST /temporary x=1', 'POST /done x=1']);
  });

  it('does not carry credentials to another origin', async () => {
    const other = await serve((_req, res) => res.end());
    const first = await serve((_req, res) => {
      res.writeHead(302, { location: `${other.origin}/landing` });
      res.end();
    });

    await client().request(first.origin, {
      headers: { Authorization: 'Bearer secret', Accept: 'text/html' },
    });

    expect(first.requests[0].headers.authorization).toBe('Bearer secret');
    expect(other.requests[0].headers.authorization).toBeUndefined();
    expect(other.requests[0].headers.accept).toBe('text/html');
  });
});

describe('GuardedHttpClient: private network guard', () => {
  const guarded = (deps?: GuardedHttpClientDeps) => client({ allowPrivateNetworks: false }, deps);

  it('refuses an IP literal on loopback without connecting', async () => {
    const srv = await serve((_req, res) => res.end());

    const error = await sourceError(guarded().request(srv.origin));

    expect(error.code).toBe(ErrorCode.SourceRefused);
    expect(error.message).toBe(
      '127.0.0.1 is a private or loopback address; refused ' +
        '(set VERBATIM_ALLOW_PRIVATE_NETWORKS=true for intranet sources)',
    );
    expect(srv.connections).toBe(0);
  });

  it('refuses an IPv4-mapped IPv6 literal of a loopback address', async () => {
    const error = await sourceError(guarded().request('http://[::ffff:127.0.0.1]:9/'));

    expect(error.code).toBe(ErrorCode.SourceRefused);
    expect(error.message).toContain('[::ffff:7f00:1] is a private or loopback address; refused');
  });

  it('refuses a name the system resolver maps to loopback (localhost) without connecting', async () => {
    const srv = await serve((_req, res) => res.end());

    const error = await sourceError(guarded().request(`http://localhost:${srv.port}/`));

    expect(error.code).toBe(ErrorCode.SourceRefused);
    expect(error.message).toMatch(/^localhost resolves to a private or loopback address; refused/);
    expect(error.message).not.toMatch(/127\.0\.0\.1|::1/);
    expect(srv.connections).toBe(0);
  });

  it('refuses a name when any one of its addresses is private', async () => {
    const resolve: Resolver = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '10.0.0.8', family: 4 },
    ];

    const error = await sourceError(guarded({ resolve }).request('http://mixed.test/'));

    expect(error.message).toContain('mixed.test resolves to a private or loopback address');
    expect(error.message).not.toContain('10.0.0.8');
  });

  it('refuses a redirect from an allowed host to a private one', async () => {
    // "public.test" stands for a public host: it is served locally, so the test lets that one address pass
    const srv = await serve((req, res) => {
      res.writeHead(302, { location: `http://intranet.test:${srv.port}/admin` });
      res.end();
    });
    const names: Record<string, string> = { 'public.test': '127.0.0.1', 'intranet.test': '10.1.2.3' };
    const resolve: Resolver = async (host) => [{ address: names[host], family: 4 }];
    const isAllowedAddress = (a: string) => a === '127.0.0.1' || isPublicAddress(a);

    const error = await sourceError(
      guarded({ resolve, isAllowedAddress }).request(`http://public.test:${srv.port}/`),
    );

    expect(error.code).toBe(ErrorCode.SourceRefused);
    expect(error.message).toContain('intranet.test resolves to a private or loopback address; refused');
    expect(error.message).not.toContain('10.1.2.3');
    expect(srv.requests.map((r) => r.headers.host)).toEqual([`public.test:${srv.port}`]);
  });

  it('refuses a redirect to a private IP literal', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(302, { location: 'http://192.168.1.1/router' });
      res.end();
    });
    const resolve: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];

    const error = await sourceError(
      guarded({ resolve, isAllowedAddress: (a) => a === '127.0.0.1' }).request(
        `http://public.test:${srv.port}/`,
      ),
    );

    expect(error.message).toContain('192.168.1.1 is a private or loopback address; refused');
    expect(srv.requests).toHaveLength(1);
  });
});

describe('GuardedHttpClient: rate limits', () => {
  it('after a 429 with Retry-After, refuses the host until then without a request', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const srv = await serve((req, res) => {
      if (srv.requests.length === 1) res.writeHead(429, { 'retry-after': '120' });
      res.end('slow down');
    });
    const c = client({}, { now: () => now });

    const first = await c.request(srv.origin);
    const error = await sourceError(c.request(`${srv.origin}/other`));

    expect(first.status).toBe(429);
    expect(error.code).toBe(ErrorCode.SourceRateLimited);
    expect(error.retryAt).toEqual(new Date('2026-01-01T00:02:00Z'));
    expect(srv.requests).toHaveLength(1);

    now = Date.parse('2026-01-01T00:02:01Z');
    expect((await c.request(srv.origin)).status).toBe(200);
    expect(srv.requests).toHaveLength(2);
  });

  it('after a response with no requests remaining, waits for the reset', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const reset = String(now / 1000 + 60);
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'ratelimit-remaining': '0', 'ratelimit-reset': reset });
      res.end('[]');
    });
    const c = client({}, { now: () => now });

    expect((await c.request(srv.origin)).status).toBe(200);
    const error = await sourceError(c.request(srv.origin));

    expect(error.code).toBe(ErrorCode.SourceRateLimited);
    expect(error.retryAt).toEqual(new Date(now + 60_000));
    expect(srv.requests).toHaveLength(1);
  });

  it('keeps asking while requests remain', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, {
        'x-ratelimit-remaining': '3',
        'x-ratelimit-reset': '2999-01-01T00:00:00.000000Z',
      });
      res.end();
    });
    const c = client();

    await c.request(srv.origin);
    await c.request(srv.origin);

    expect(srv.requests).toHaveLength(2);
  });
});

describe('GuardedHttpClient: bounded waits', () => {
  it('clamps a Retry-After of 3,000,000,000 seconds to the configured maximum', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const srv = await serve((_req, res) => {
      if (srv.requests.length === 1) res.writeHead(429, { 'retry-after': '3000000000' });
      res.end();
    });
    const c = client({ maxRetryAfterSeconds: 600 }, { now: () => now });

    const first = await c.request(srv.origin);
    const error = await sourceError(c.request(srv.origin));

    expect(first.retryAt).toEqual(new Date('2026-01-01T00:10:00Z'));
    expect(error.code).toBe(ErrorCode.SourceRateLimited);
    expect(error.retryAt).toEqual(new Date('2026-01-01T00:10:00Z'));
    // the host's remembered state ends with the clamp
    now = Date.parse('2026-01-01T00:10:00Z');
    expect((await c.request(srv.origin)).status).toBe(200);
    expect(srv.requests).toHaveLength(2);
  });

  it.each([
    ['a year 9999 date', { 'retry-after': 'Fri, 31 Dec 9999 23:59:59 GMT' }],
    ['a reset decades away', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '9999-01-01T00:00:00Z' }],
    ['NaN', { 'retry-after': 'NaN' }],
    ['a negative wait', { 'retry-after': '-3000000000' }],
  ])('never parks a host beyond the maximum on %s, and never throws on it', async (_label, headers) => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const srv = await serve((_req, res) => {
      res.writeHead(429, headers);
      res.end();
    });
    const c = client({ maxRetryAfterSeconds: 600 }, { now: () => now });

    const first = await c.request(srv.origin);
    const next = await c.request(srv.origin).then(
      (response) => response.status,
      (error: unknown) => error,
    );

    expect(first.status).toBe(429);
    if (next instanceof SourceError) expect(next.retryAt!.getTime()).toBeLessThanOrEqual(now + 600_000);
    else expect(next).toBe(429);
  });
});

describe('GuardedHttpClient: URLs with credentials', () => {
  it('refuses user:password@ without connecting, and does not repeat the secret', async () => {
    const srv = await serve((_req, res) => res.end());

    const error = await sourceError(client().request(`http://alice:s3cret@127.0.0.1:${srv.port}/feed`));

    expect(error.code).toBe(ErrorCode.SourceRefused);
    expect(error.message).toBe(
      `refused to fetch http://127.0.0.1:${srv.port}/feed: URLs with a user name or password are not ` +
        'accepted (remove user:password@ from the URL)',
    );
    expect(error.message).not.toContain('s3cret');
    expect(srv.connections).toBe(0);
  });

  it('refuses a redirect to a URL with credentials', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(302, { location: `http://bob@127.0.0.1:${srv.port}/private` });
      res.end();
    });

    const error = await sourceError(client().request(srv.origin));

    expect(error.code).toBe(ErrorCode.SourceRefused);
    expect(error.message).toContain('URLs with a user name or password are not accepted');
    expect(srv.requests).toHaveLength(1);
  });
});

describe('GuardedHttpClient: network errors', () => {
  it('reports a refused connection as unavailable, naming the host and the cause', async () => {
    const srv = await serve(() => undefined);
    srv.server.close();
    await once(srv.server, 'close');

    const error = await sourceError(client().request(srv.origin));

    expect(error.code).toBe(ErrorCode.SourceUnavailable);
    expect(error.message).toContain(`127.0.0.1:${srv.port}`);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('reports a connection reset as unavailable', async () => {
    const srv = await serve((req) => req.socket.destroy());

    const error = await sourceError(client().request(srv.origin));

    expect(error.code).toBe(ErrorCode.SourceUnavailable);
    expect(error.message).toContain(`could not reach 127.0.0.1:${srv.port}`);
  });

  it('reports a DNS failure as unavailable', async () => {
    const resolve: Resolver = () =>
      Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), { code: 'ENOTFOUND' }));

    const error = await sourceError(client({}, { resolve }).request('https://nowhere.test/'));

    expect(error.code).toBe(ErrorCode.SourceUnavailable);
    expect(error.message).toBe('could not reach nowhere.test: getaddrinfo ENOTFOUND nowhere.test');
  });

  it('names the host the user gave and the error code, never the address it resolved to', async () => {
    const srv = await serve(() => undefined);
    srv.server.close();
    await once(srv.server, 'close');
    // a name that resolves (as an internal name would) to an address where nothing listens
    const resolve: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];

    const error = await sourceError(
      client({}, { resolve }).request(`http://feeds.internal.test:${srv.port}/`),
    );

    expect(error.code).toBe(ErrorCode.SourceUnavailable);
    expect(error.message).toBe(`could not reach feeds.internal.test:${srv.port}: connect ECONNREFUSED`);
    expect(error.message).not.toContain('127.0.0.1');
  });
});

describe('GuardedHttpClient: streamed downloads', () => {
  async function drain(body: NodeJS.ReadableStream): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of body as AsyncIterable<Buffer>) chunks.push(c);
    return Buffer.concat(chunks);
  }

  it('hands the body over as a stream of the exact bytes, with the response head', async () => {
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(bytes.length) });
      res.end(bytes);
    });

    const got = await client({ maxBytes: 1000 }).download(
      `${srv.origin}/photo.jpeg`,
      { maxBytes: 100_000 },
      async (response) => ({
        status: response.status,
        type: response.headers['content-type'],
        body: await drain(response.body),
      }),
    );

    expect(got.status).toBe(200);
    expect(got.type).toBe('image/jpeg');
    expect(got.body.equals(bytes)).toBe(true);
  });

  it('refuses an announced Content-Length over the limit before handing over any byte', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(2 ** 30) });
      res.write(Buffer.alloc(1000)); // and hangs
    });
    let consumed = false;

    const error = await sourceError(
      client().download(srv.origin, { maxBytes: 10_000 }, async () => {
        consumed = true;
      }),
    );

    expect(error).toBeInstanceOf(BodyTooLarge);
    expect(error.message).toContain(`response body of ${2 ** 30} bytes (Content-Length) exceeds 10000 bytes`);
    expect(consumed).toBe(false);
  });

  it('passes on unchanged an error of the consumer’s own that names no network code (a full disk under a blob store)', async () => {
    const srv = await serve((_req, res) => res.end('media bytes'));
    class StoreFailed extends Error {}
    const failure = await client()
      .download(srv.origin, { maxBytes: 10_000 }, async () => {
        throw new StoreFailed('the blob store could not write a file: ENOSPC');
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreFailed);
  });

  it('fails the stream with BodyTooLarge once a body without a length passes the limit, and drops the connection', async () => {
    let serverSideClosed: Promise<unknown> = Promise.resolve();
    const srv = await serve((_req, res) => {
      serverSideClosed = once(res, 'close');
      res.writeHead(200, { 'content-type': 'video/mp4' });
      res.write(Buffer.alloc(6000));
      res.write(Buffer.alloc(6000));
    });

    const error = await sourceError(
      client().download(srv.origin, { maxBytes: 10_000 }, (response) => drain(response.body)),
    );

    expect(error).toBeInstanceOf(BodyTooLarge);
    expect(error.message).toContain('response body exceeds 10000 bytes');
    await serverSideClosed;
  });
});
