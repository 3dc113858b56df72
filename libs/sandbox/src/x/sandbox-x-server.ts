import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { routeXRequest } from './x-router';
import { type XPlatformView } from './x-records';

export interface SandboxX {
  /** `http://127.0.0.1:<port>`: the API, syndication and oEmbed base URL alike */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * A small X-shaped server on 127.0.0.1 for `verbatim demo`: the v2 API routes Verbatim reads (with the
 * Bearer token), the syndication `tweet-result` and oEmbed. Read-only; it answers every request (no failure
 * modes: those live in the test fake).
 */
export async function startSandboxX(
  view: XPlatformView,
  options: { bearerToken: string },
): Promise<SandboxX> {
  let origin = '';
  const server = createServer((req, res) => {
    const answer = routeXRequest(
      view,
      req.method ?? 'GET',
      new URL(req.url ?? '/', origin),
      req.headers.authorization,
      {
        bearerToken: options.bearerToken,
      },
    );
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    async close() {
      if (!server.listening) return;
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
