import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

/** One way of answering a request. */
export type HostileAnswer =
  | {
      kind: 'body';
      status?: number;
      body: Buffer;
      /** null sends no Content-Type header, '' an empty one */
      contentType: string | null;
      headers?: Record<string, string>;
    }
  /** a redirect to the very URL asked for, for ever */
  | { kind: 'redirect-loop' }
  /** a 200 whose body (with its full Content-Length announced) arrives one byte per second */
  | { kind: 'slow-drip'; body: Buffer; contentType: string };

/** What a path answers before and after `arm()`: a source that turns hostile once it is tracked. */
export interface HostileRoute {
  before: HostileAnswer;
  after: HostileAnswer;
}

export interface HostileServer {
  readonly origin: string;
  url(path: string): string;
  /** answers GET `path` (the query is ignored) */
  route(path: string, route: HostileRoute): void;
  /** answers `GET /api/v1/accounts/lookup?acct=<username>` with `account` (JSON), always */
  mastodonLookup(username: string, account: string): void;
  /** switches every route to its `after` answer */
  arm(): void;
  /** when each request for `path` arrived (ms since the epoch) */
  requests(path: string): number[];
  close(): Promise<void>;
}

/**
 * An HTTP server on 127.0.0.1 that answers as a hostile source does: exact Content-Type handling (none,
 * empty, lying), redirect loops, slow drips, whatever bytes a case holds. It logs every request, so a test
 * can count how often a source was fetched.
 */
export async function startHostileServer(): Promise<HostileServer> {
  const routes = new Map<string, HostileRoute>();
  const lookups = new Map<string, Buffer>();
  const log = new Map<string, number[]>();
  const drips = new Set<NodeJS.Timeout>();
  let armed = false;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const times = log.get(url.pathname) ?? [];
    times.push(Date.now());
    log.set(url.pathname, times);
    if (url.pathname === '/api/v1/accounts/lookup') {
      const account = lookups.get(url.searchParams.get('acct') ?? '');
      if (account) answer(req, res, { kind: 'body', body: account, contentType: 'application/json' });
      else res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Record not found"}');
      return;
    }
    const route = routes.get(url.pathname);
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    answer(req, res, armed ? route.after : route.before);
  });

  function answer(req: IncomingMessage, res: ServerResponse, how: HostileAnswer): void {
    if (how.kind === 'redirect-loop') {
      res.writeHead(302, { location: req.url ?? '/' }).end();
      return;
    }
    if (how.kind === 'slow-drip') {
      res.writeHead(200, { 'content-type': how.contentType, 'content-length': String(how.body.length) });
      let sent = 0;
      const drip = setInterval(() => {
        if (sent >= how.body.length || res.destroyed) {
          clearInterval(drip);
          drips.delete(drip);
          res.end();
          return;
        }
        res.write(how.body.subarray(sent, ++sent));
      }, 1000);
      drips.add(drip);
      return;
    }
    res.statusCode = how.status ?? 200;
    if (how.contentType !== null) res.setHeader('content-type', how.contentType);
    for (const [name, value] of Object.entries(how.headers ?? {})) res.setHeader(name, value);
    res.setHeader('content-length', String(how.body.length));
    res.end(how.body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (path) => `${origin}${path}`,
    route: (path, route) => void routes.set(path, route),
    mastodonLookup: (username, account) => void lookups.set(username, Buffer.from(account)),
    arm: () => void (armed = true),
    requests: (path) => [...(log.get(path) ?? [])],
    async close() {
      for (const drip of drips) clearInterval(drip);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
