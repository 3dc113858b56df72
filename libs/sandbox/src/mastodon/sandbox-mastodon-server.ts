import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import {
  type AccountRecord,
  type Json,
  type RenderContext,
  type StatusRecord,
  railsJson,
  renderAccount,
  renderStatus,
} from './mastodon-json';

/** Mastodon's default and maximum page sizes for account statuses. */
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 40;

export interface SandboxContent {
  accounts: AccountRecord[];
  statuses: StatusRecord[];
}

export interface SandboxMastodon {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** the profile URL a person would paste: `<origin>/@<username>` */
  profileUrl(username: string): string;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: Json;
  link?: string;
}

/**
 * A small Mastodon-compatible server on 127.0.0.1 for `verbatim demo`: account lookup, an account's statuses
 * (paged with Link headers as Mastodon pages them) and single statuses, rendered as Mastodon 4.x renders
 * them for an anonymous reader. Read-only and in memory; it answers every request (no failure modes).
 */
export async function startSandboxMastodon(
  content: SandboxContent,
  options: { port?: number } = {},
): Promise<SandboxMastodon> {
  const accounts = new Map(content.accounts.map((a) => [a.id, a]));
  const statuses = new Map(content.statuses.map((s) => [s.id, s]));
  let origin = '';
  const ctx: RenderContext = {
    get origin() {
      return origin;
    },
    account: (id) => {
      const account = accounts.get(id);
      if (!account) throw new Error(`sandbox mastodon: status refers to unknown account ${id}`);
      return account;
    },
    status: (id) => statuses.get(id),
    statusesOf: (accountId) => content.statuses.filter((s) => s.accountId === accountId),
  };

  const notFound: Answer = { status: 404, body: { error: 'Record not found' } };

  function route(method: string, url: URL): Answer {
    if (method !== 'GET' && method !== 'HEAD') return { status: 405, body: { error: 'Method not allowed' } };
    if (url.pathname === '/api/v1/accounts/lookup') {
      const [username, domain] = (url.searchParams.get('acct') ?? '').replace(/^@/, '').split('@');
      if (domain !== undefined && domain.toLowerCase() !== new URL(origin).host) return notFound;
      const account = content.accounts.find((a) => a.username.toLowerCase() === username.toLowerCase());
      return account ? { status: 200, body: renderAccount(account, ctx) } : notFound;
    }
    let match = /^\/api\/v1\/accounts\/([^/]+)\/statuses$/.exec(url.pathname);
    if (match) {
      const account = accounts.get(match[1]);
      return account ? accountStatuses(account, url.searchParams) : notFound;
    }
    match = /^\/api\/v1\/accounts\/([^/]+)$/.exec(url.pathname);
    if (match) {
      const account = accounts.get(match[1]);
      return account ? { status: 200, body: renderAccount(account, ctx) } : notFound;
    }
    match = /^\/api\/v1\/statuses\/([^/]+)$/.exec(url.pathname);
    if (match) {
      const status = statuses.get(match[1]);
      return status && isPublic(status) ? { status: 200, body: renderStatus(status, ctx) } : notFound;
    }
    return { status: 404, body: { error: 'Not Found' } };
  }

  /** Newest first; max_id/since_id/min_id and the Link header behave as Mastodon's. */
  function accountStatuses(account: AccountRecord, query: URLSearchParams): Answer {
    const limit = Math.min(
      Math.max(Number.parseInt(query.get('limit') ?? '', 10) || DEFAULT_LIMIT, 1),
      MAX_LIMIT,
    );
    let list = ctx
      .statusesOf(account.id)
      .filter(isPublic)
      .sort((a, b) => compareIds(b.id, a.id));
    if (truthy(query.get('exclude_replies'))) list = list.filter((s) => s.inReplyToId === null);
    if (truthy(query.get('exclude_reblogs'))) list = list.filter((s) => s.reblogOfId === null);
    if (truthy(query.get('only_media'))) list = list.filter((s) => s.media.length > 0);
    const maxId = idParam(query, 'max_id');
    const minId = idParam(query, 'min_id');
    const sinceId = idParam(query, 'since_id');
    if (maxId) list = list.filter((s) => compareIds(s.id, maxId) < 0);
    if (sinceId) list = list.filter((s) => compareIds(s.id, sinceId) > 0);
    // min_id asks for the statuses just above it: the oldest `limit` of them, still newest first
    const page = minId ? list.filter((s) => compareIds(s.id, minId) > 0).slice(-limit) : list.slice(0, limit);
    const base = `${origin}/api/v1/accounts/${account.id}/statuses?limit=${limit}`;
    const links: string[] = [];
    if (page.length === limit) links.push(`<${base}&max_id=${page[page.length - 1].id}>; rel="next"`);
    if (page.length > 0) links.push(`<${base}&min_id=${page[0].id}>; rel="prev"`);
    return {
      status: 200,
      body: page.map((s) => renderStatus(s, ctx)),
      link: links.length > 0 ? links.join(', ') : undefined,
    };
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const answer = route(req.method ?? 'GET', new URL(req.url ?? '/', origin));
    const body = railsJson(answer.body);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'max-age=0, public',
      'Content-Length': String(body.length),
    };
    if (answer.link) headers.Link = answer.link;
    res.writeHead(answer.status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    profileUrl: (username) => `${origin}/@${username}`,
    async close() {
      if (!server.listening) return;
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

function isPublic(status: StatusRecord): boolean {
  return !status.deleted && (status.visibility === 'public' || status.visibility === 'unlisted');
}

/** Rails' truthy_param?: anything but false-ish strings. */
function truthy(value: string | null): boolean {
  return value !== null && !['', '0', 'f', 'false', 'off', 'F', 'FALSE', 'OFF'].includes(value);
}

/** A status id parameter, or null when absent or not an id (ignored, as Mastodon ignores junk cursors). */
function idParam(query: URLSearchParams, name: string): string | null {
  const value = query.get(name);
  return value !== null && /^\d{1,19}$/.test(value) ? value : null;
}

/** Mastodon ids are decimal strings of up to 19 digits: compare them as numbers. */
function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
