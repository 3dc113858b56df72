/**
 * The machine's floor for a page over HTTP: a bare node:http server with one pg connection that answers
 * GET /page/:k with a page of the newest statements (51 rows, offset 51·k) as JSON. No framework, no
 * validation, no logging: what any server on this machine pays to take a request, ask PostgreSQL for a page and
 * send it back over loopback. The search bench times it with the same client as the API, so the gap between
 * the two is our stack's (and the search's) own cost.
 */
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Client } from 'pg';

const PAGE_SQL = `SELECT s.id, s.seq, s.platform, s.url, s.authored_at, s.first_captured_at, s.last_seen_at, s.status,
  s.latest_version, s.latest_text, a.id AS account_id, a.handle AS account_handle,
  a.display_name AS account_display_name, a.profile_url AS account_url
  FROM statements s JOIN accounts a ON a.id = s.account_id ORDER BY s.seq DESC LIMIT 51 OFFSET $1`;

export interface HttpFloor {
  base: string;
  /** one path per page, as many as asked */
  paths(pages: number): string[];
  close(): Promise<void>;
}

export async function startHttpFloor(databaseUrl: string): Promise<HttpFloor> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const server: Server = createServer((req, res) => {
    const page = Number(/^\/page\/(\d{1,3})$/.exec(req.url ?? '')?.[1] ?? NaN);
    if (!Number.isInteger(page)) {
      res.writeHead(404).end();
      return;
    }
    db.query(PAGE_SQL, [page * 51]).then(
      ({ rows }) => {
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(JSON.stringify({ items: rows }));
      },
      (error: Error) => res.writeHead(500).end(error.message),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths: (pages) => Array.from({ length: pages }, (_, k) => `/page/${k}`),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.end();
    },
  };
}
