import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

export * from './feeds/feed-builders';
export * from './feeds/legacy-encoding';

/**
 * How the server treats If-None-Match / If-Modified-Since:
 * - `conditional`: answers 304 when the validators match, like a well-behaved server
 * - `ignore-conditional`: always 200 with the same bytes, like many government servers
 */
export type ConditionalMode = 'conditional' | 'ignore-conditional';

export interface FakeFeedDocument {
  body: Buffer | string;
  contentType?: string;
  /** default 200 */
  status?: number;
  /** overrides the Last-Modified header (default: when setFeed was called, to the second) */
  lastModified?: Date;
  /** extra response headers */
  headers?: Record<string, string>;
}

export interface FakeFeedServer {
  /** absolute URL of a path on this server */
  url(path: string): string;
  /** serves a document at `path` (its ETag derives from the bytes) */
  setFeed(path: string, feed: FakeFeedDocument): void;
  /** answers `path` with a redirect to `target` (a path or an absolute URL) */
  setRedirect(path: string, target: string, status?: 301 | 302 | 307 | 308): void;
  /** accepts requests for `path` and never answers them (until close), to exercise timeouts */
  setHang(path: string): void;
  removeFeed(path: string): void;
  setMode(mode: ConditionalMode): void;
  requestCount(path: string): number;
  lastRequestHeaders(path: string): IncomingHttpHeaders | undefined;
  close(): Promise<void>;
}

interface Served {
  body: Buffer;
  contentType: string;
  status: number;
  etag: string;
  lastModified: Date;
  headers: Record<string, string>;
}

/** A feed-serving HTTP server on 127.0.0.1 (a random port) for tests and the demo. Unknown paths get 404. */
export async function startFakeFeedServer(options: { mode?: ConditionalMode } = {}): Promise<FakeFeedServer> {
  let mode: ConditionalMode = options.mode ?? 'conditional';
  const feeds = new Map<string, Served>();
  const redirects = new Map<string, { target: string; status: number }>();
  const counts = new Map<string, number>();
  const lastHeaders = new Map<string, IncomingHttpHeaders>();
  const hangingPaths = new Set<string>();
  const hanging = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    lastHeaders.set(path, req.headers);
    if (hangingPaths.has(path)) {
      hanging.add(res);
      return;
    }
    const redirect = redirects.get(path);
    if (redirect) {
      res.writeHead(redirect.status, { location: redirect.target }).end();
      return;
    }
    const feed = feeds.get(path);
    if (!feed) {
      res
        .writeHead(404, { 'content-type': 'text/html; charset=utf-8' })
        .end('<html><body><h1>Not Found</h1></body></html>');
      return;
    }
    if (feed.status === 200 && mode === 'conditional' && notModified(req.headers, feed)) {
      res.writeHead(304, validators(feed)).end();
      return;
    }
    send(res, feed);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return {
    url: (path) => new URL(path, base).href,
    setFeed(path, feed) {
      const body = typeof feed.body === 'string' ? Buffer.from(feed.body, 'utf8') : feed.body;
      redirects.delete(path);
      hangingPaths.delete(path);
      feeds.set(path, {
        body,
        contentType: feed.contentType ?? 'application/rss+xml; charset=utf-8',
        status: feed.status ?? 200,
        etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`,
        lastModified: feed.lastModified ?? new Date(Math.floor(Date.now() / 1000) * 1000),
        headers: feed.headers ?? {},
      });
    },
    setRedirect(path, target, status = 301) {
      feeds.delete(path);
      hangingPaths.delete(path);
      redirects.set(path, { target, status });
    },
    setHang(path) {
      feeds.delete(path);
      redirects.delete(path);
      hangingPaths.add(path);
    },
    removeFeed(path) {
      feeds.delete(path);
      redirects.delete(path);
      hangingPaths.delete(path);
    },
    setMode(next) {
      mode = next;
    },
    requestCount: (path) => counts.get(path) ?? 0,
    lastRequestHeaders: (path) => lastHeaders.get(path),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const res of hanging) res.destroy();
        hanging.clear();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function validators(feed: Served): Record<string, string> {
  return { etag: feed.etag, 'last-modified': feed.lastModified.toUTCString() };
}

/** RFC 9110 §13.1: If-None-Match wins; If-Modified-Since only counts without it. */
function notModified(headers: IncomingHttpHeaders, feed: Served): boolean {
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch
      .split(',')
      .some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === feed.etag);
  }
  const ifModifiedSince = headers['if-modified-since'];
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  return !Number.isNaN(since) && feed.lastModified.getTime() <= since;
}

function send(res: ServerResponse, feed: Served): void {
  res.writeHead(feed.status, {
    'content-type': feed.contentType,
    'content-length': String(feed.body.length),
    'cache-control': 'max-age=60, public',
    ...validators(feed),
    ...feed.headers,
  });
  res.end(feed.body);
}
