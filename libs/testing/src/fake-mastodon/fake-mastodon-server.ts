import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import {
  type AccountRecord,
  type Json,
  type MediaType,
  type RenderContext,
  type StatusRecord,
  type Visibility,
  mastodonHtml,
  railsJson,
  renderAccount,
  renderStatus,
  renderStatusHistory,
  snapshotOf,
} from '@app/sandbox';
import { fakeFiles, type FakeFiles } from '../fake-files';
import { writtenHead, closeFakeServer } from '../fake-server-support';

/** Mastodon's default and maximum page sizes for account statuses. */
const DEFAULT_LIMIT = 20;
/** Most ids `GET /api/v1/statuses?id[]=` accepts (Api::BaseController's DEFAULT_STATUSES_LIMIT); more is a 422. */
const BATCH_LIMIT = 20;
const MAX_LIMIT = 40;
/** Unauthenticated API budget: 300 requests per 5 minutes. */
const RATE_LIMIT = 300;
const RATE_PERIOD_S = 300;
/** Parameters Mastodon carries over into the Link header URLs, which Rails writes sorted by name. */
const CARRIED_PARAMS = ['exclude_reblogs', 'exclude_replies', 'limit', 'only_media', 'pinned', 'tagged'];

export type FailureMode =
  /** 401 {"error":"This API requires an authenticated user"}, as on limited-federation instances */
  | 'unauthorized'
  /** 404 {"error":"Record not found"} */
  | 'not-found'
  /** 403 {"error":"This action is not allowed"} */
  | 'forbidden'
  /** 410 {"error":"Gone"}, as a server that remembers deletions might answer */
  | 'gone'
  /** 429 {"error":"Too many requests"} with X-RateLimit-Reset = resetAt */
  | 'rate-limited'
  /** 500 */
  | 'server-error'
  /** the connection is reset before any response (ECONNRESET) */
  | 'reset'
  /** 200, application/json, but the body is an HTML error page cut short */
  | 'garbage'
  /** 200 valid JSON with ids as numbers and content missing */
  | 'wrong-shape'
  /** accepts the request and never answers (until close) */
  | 'hang';

export interface FailureRule {
  mode: FailureMode;
  /** only requests about this account (lookup, its statuses, one of its posts) */
  username?: string;
  /** only requests whose path starts with this */
  path?: string;
  /** only requests to exactly this path (query aside): `/api/v1/statuses` is the batch lookup alone */
  exactPath?: string;
  /** when a 429 says to come back; default one minute from now */
  resetAt?: Date;
  /** how many requests fail before the rule wears off; default: every request */
  times?: number;
}

export interface LoggedRequest {
  method: string;
  /** path and query as sent */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** what was answered; unset while a request hangs */
  response?: {
    status: number;
    headers: Record<string, string>;
    body: Buffer;
    /** the status line and header block exactly as written to the socket (Node adds Date, Connection…) */
    head?: Buffer;
  };
}

export interface AddAccountInput {
  username: string;
  displayName?: string;
  /** HTML bio */
  note?: string;
  bot?: boolean;
  website?: string | null;
  createdAt?: string | Date;
}

export interface PublishInput {
  /** HTML as Mastodon stores it (`<p>…</p>`), or plain text, which is rendered the way Mastodon does */
  content?: string;
  spoilerText?: string;
  language?: string | null;
  createdAt?: string | Date;
  visibility?: Visibility;
  /** id of the post this replies to */
  inReplyToId?: string;
  /** id of the post this boosts; content is then ignored */
  reblogOf?: string;
  /** id of the post this quotes (Mastodon 4.4 `quote`) */
  quoteOf?: string;
  media?: { type: MediaType; description?: string | null }[];
  tags?: string[];
  sensitive?: boolean;
}

export interface EditChanges {
  spoilerText?: string;
  /** when the edit happened; default now */
  at?: string | Date;
}

export interface FakeMastodonOptions {
  /**
   * Send every body in two chunks (`Transfer-Encoding: chunked`, no Content-Length), as Mastodon behind nginx does
   * when it streams an answer.
   */
  chunked?: boolean;
  /** Give statuses the sequential ids firstId, firstId+1… instead of snowflakes: lets tests cross 9 -> 10. */
  firstId?: number;
  /**
   * Serve the batch lookup `GET /api/v1/statuses?id[]=` (Mastodon 4.3+); default true. False behaves like an
   * older server, which has no such route and answers 404.
   */
  batchStatuses?: boolean;
  /** most ids the batch lookup accepts before answering 422; default 20, as Mastodon */
  batchLimit?: number;
  /**
   * Requests the X-RateLimit-* headers allow in the 5-minute window; default 300, as Mastodon's unauthenticated
   * API. A load test tracking a thousand accounts on one fake raises it, since clients stop at Remaining: 0.
   */
  rateLimit?: number;
}

/** A Mastodon JSON entity as the server renders it now. */
export type EntityJson = { [key: string]: Json } & { id: string };

export interface FakeMastodon {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** `127.0.0.1:<port>`: the instance's domain as connectors see it */
  readonly host: string;
  readonly requestLog: LoggedRequest[];
  /** the media files this instance serves under /system/ (404 for each until a test adds it) */
  readonly files: FakeFiles;
  addAccount(input: AddAccountInput): EntityJson;
  publish(username: string, input: PublishInput): EntityJson;
  /**
   * Edits a status as Mastodon does: the first edit also snapshots the original, every edit snapshots the new
   * version, so `/api/v1/statuses/:id/history` lists them all. Edit times never repeat (1 ms apart at least).
   */
  edit(id: string, content: string, changes?: EditChanges): EntityJson;
  remove(id: string): void;
  /** brings a removed status back (a platform undoing a moderation action, an author restoring a post) */
  restore(id: string): void;
  /** the status as GET /api/v1/statuses/:id would render it (deleted ones too) */
  statusJson(id: string): EntityJson;
  accountJson(username: string): EntityJson;
  fail(rule: FailureRule): void;
  clearFailures(): void;
  close(): Promise<void>;
}

interface Routed {
  /** the account the request is about, for failure rules */
  username: string | null;
  status: number;
  body: Json;
  link?: string;
}

/** Starts a Mastodon look-alike on 127.0.0.1, port 0. Everything lives in memory. */
export async function startFakeMastodon(options: FakeMastodonOptions = {}): Promise<FakeMastodon> {
  const accounts = new Map<string, AccountRecord>();
  const statuses = new Map<string, StatusRecord>();
  const failures: FailureRule[] = [];
  const requestLog: LoggedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const files = fakeFiles();
  let lastStatusId = options.firstId !== undefined ? BigInt(options.firstId) - 1n : 0n;
  let nextAccountId = 109334860508022726n;
  let nextMediaId = 110248720512200000n;
  const rateLimit = options.rateLimit ?? RATE_LIMIT;
  let remaining = rateLimit;
  let origin = '';

  const ctx: RenderContext = {
    get origin() {
      return origin;
    },
    account: (id) => {
      const found = accounts.get(id);
      if (!found) throw new Error(`fake mastodon: no account ${id}`);
      return found;
    },
    status: (id) => statuses.get(id),
    statusesOf: (accountId) => [...statuses.values()].filter((s) => s.accountId === accountId),
  };

  const findAccount = (username: string) =>
    [...accounts.values()].find((a) => a.username.toLowerCase() === username.toLowerCase());

  const requireStatus = (id: string) => {
    const found = statuses.get(id);
    if (!found) throw new Error(`fake mastodon: no status ${id}`);
    return found;
  };

  /** Snowflake-like: milliseconds << 16, always above the previous id. */
  const newStatusId = (createdAt: string): string => {
    const snowflake = options.firstId !== undefined ? 0n : BigInt(Date.parse(createdAt)) << 16n;
    lastStatusId = snowflake > lastStatusId ? snowflake : lastStatusId + 1n;
    return lastStatusId.toString();
  };

  const visibleStatusesOf = (account: AccountRecord): StatusRecord[] =>
    ctx
      .statusesOf(account.id)
      .filter(isPublicStatus)
      .sort((a, b) => compareBig(b.id, a.id));

  function accountStatuses(account: AccountRecord, query: URLSearchParams): Routed {
    const limit = Math.min(
      Math.max(Number.parseInt(query.get('limit') ?? '', 10) || DEFAULT_LIMIT, 1),
      MAX_LIMIT,
    );
    let list = truthy(query.get('pinned')) ? [] : visibleStatusesOf(account);
    if (truthy(query.get('exclude_replies'))) list = list.filter((s) => s.inReplyToId === null);
    if (truthy(query.get('exclude_reblogs'))) list = list.filter((s) => s.reblogOfId === null);
    if (truthy(query.get('only_media'))) list = list.filter((s) => s.media.length > 0);
    const maxId = query.get('max_id');
    const minId = query.get('min_id');
    const sinceId = query.get('since_id');
    if (maxId) list = list.filter((s) => compareBig(s.id, maxId) < 0);
    let page: StatusRecord[];
    if (minId) {
      // the statuses immediately above min_id, still returned newest first
      page = list
        .filter((s) => compareBig(s.id, minId) > 0)
        .reverse()
        .slice(0, limit)
        .reverse();
    } else {
      if (sinceId) list = list.filter((s) => compareBig(s.id, sinceId) > 0);
      page = list.slice(0, limit);
    }
    const links: string[] = [];
    const base = `${origin}/api/v1/accounts/${account.id}/statuses`;
    if (page.length === limit)
      links.push(`<${base}?${linkQuery(query, 'max_id', page[page.length - 1].id)}>; rel="next"`);
    if (page.length > 0) links.push(`<${base}?${linkQuery(query, 'min_id', page[0].id)}>; rel="prev"`);
    return {
      username: account.username,
      status: 200,
      body: page.map((s) => renderStatus(s, ctx)),
      link: links.length > 0 ? links.join(', ') : undefined,
    };
  }

  /** Public statuses among the ids, in storage order rather than the order asked (Mastodon does not sort them). */
  function statusesByIds(query: URLSearchParams): Routed {
    const ids = new Set(query.getAll('id[]'));
    if (ids.size > (options.batchLimit ?? BATCH_LIMIT))
      return { username: null, status: 422, body: { error: 'Mastodon::ValidationError' } };
    const found = [...statuses.values()].filter((s) => ids.has(s.id) && isPublicStatus(s));
    return { username: null, status: 200, body: found.map((s) => renderStatus(s, ctx)) };
  }

  function route(method: string, url: URL): Routed {
    const notFound = (username: string | null = null): Routed => ({
      username,
      status: 404,
      body: { error: 'Record not found' },
    });
    if (method !== 'GET' && method !== 'HEAD')
      return { username: null, status: 405, body: { error: 'Method not allowed' } };
    const path = url.pathname;
    if (path === '/api/v1/instance') return { username: null, status: 200, body: instanceJson() };
    if (path === '/api/v1/accounts/lookup') {
      const acct = (url.searchParams.get('acct') ?? '').replace(/^@/, '');
      const [username, domain] = acct.split('@');
      const requested = username ?? '';
      if (domain !== undefined && domain.toLowerCase() !== host && domain.toLowerCase() !== '127.0.0.1')
        return notFound(requested);
      const account = findAccount(requested);
      return account
        ? { username: account.username, status: 200, body: renderAccount(account, ctx) }
        : notFound(requested);
    }
    let match = /^\/api\/v1\/accounts\/([^/]+)\/statuses$/.exec(path);
    if (match) {
      const account = accounts.get(match[1]);
      return account ? accountStatuses(account, url.searchParams) : notFound();
    }
    match = /^\/api\/v1\/accounts\/([^/]+)$/.exec(path);
    if (match) {
      const account = accounts.get(match[1]);
      return account
        ? { username: account.username, status: 200, body: renderAccount(account, ctx) }
        : notFound();
    }
    if (path === '/api/v1/statuses' && options.batchStatuses !== false)
      return statusesByIds(url.searchParams);
    match = /^\/api\/v1\/statuses\/([^/]+)\/history$/.exec(path);
    if (match) {
      const status = statuses.get(match[1]);
      const username = status ? ctx.account(status.accountId).username : null;
      if (!status || !isPublicStatus(status)) return notFound(username);
      return { username, status: 200, body: renderStatusHistory(status, ctx) };
    }
    match = /^\/api\/v1\/statuses\/([^/]+)$/.exec(path);
    if (match) {
      const status = statuses.get(match[1]);
      const username = status ? ctx.account(status.accountId).username : null;
      if (!status || !isPublicStatus(status)) return notFound(username);
      return { username, status: 200, body: renderStatus(status, ctx) };
    }
    return { username: null, status: 404, body: { error: 'Not Found' } };
  }

  function failureFor(routed: Routed, path: string): FailureRule | undefined {
    const index = failures.findIndex(
      (rule) =>
        (rule.username === undefined || rule.username.toLowerCase() === routed.username?.toLowerCase()) &&
        (rule.path === undefined || path.startsWith(rule.path)) &&
        (rule.exactPath === undefined || path === rule.exactPath),
    );
    if (index < 0) return undefined;
    const rule = failures[index];
    if (rule.times !== undefined) {
      rule.times -= 1;
      if (rule.times <= 0) failures.splice(index, 1);
    }
    return rule;
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    // media files come from Mastodon's file storage, not its API: no rate limit, no request log
    if (req.url?.startsWith('/system/')) {
      files.handle(req, res);
      return;
    }
    const url = new URL(req.url ?? '/', origin);
    const entry: LoggedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      query: url.searchParams,
      headers: req.headers,
    };
    requestLog.push(entry);
    const now = new Date();
    remaining = Math.max(remaining - 1, 0);
    const resetAt = new Date((Math.floor(now.getTime() / 1000 / RATE_PERIOD_S) + 1) * RATE_PERIOD_S * 1000);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json; charset=utf-8',
      Vary: 'Accept, Origin',
      'Cache-Control': 'max-age=0, public',
      'X-RateLimit-Limit': String(rateLimit),
      'X-RateLimit-Remaining': String(remaining),
      'X-RateLimit-Reset': railsTime(resetAt),
      'X-Request-Id': createHash('sha1')
        .update(`${now.getTime()}${requestLog.length}`)
        .digest('hex')
        .slice(0, 20),
    };

    const routed = route(req.method ?? 'GET', url);
    const failure = failureFor(routed, url.pathname);
    let status = routed.status;
    let body: Buffer = railsJson(routed.body);
    if (failure) {
      switch (failure.mode) {
        case 'hang':
          hanging.add(res);
          return;
        case 'reset':
          // the connection is dropped before any response: the client sees ECONNRESET
          req.socket.destroy();
          return;
        case 'unauthorized':
          status = 401;
          body = railsJson({ error: 'This API requires an authenticated user' });
          break;
        case 'not-found':
          status = 404;
          body = railsJson({ error: 'Record not found' });
          break;
        case 'forbidden':
          status = 403;
          body = railsJson({ error: 'This action is not allowed' });
          break;
        case 'gone':
          status = 410;
          body = railsJson({ error: 'Gone' });
          break;
        case 'rate-limited':
          status = 429;
          headers['X-RateLimit-Remaining'] = '0';
          headers['X-RateLimit-Reset'] = railsTime(failure.resetAt ?? new Date(now.getTime() + 60_000));
          body = railsJson({ error: 'Too many requests' });
          break;
        case 'server-error':
          status = 500;
          body = railsJson({ error: "We're sorry, but something went wrong on our end." });
          break;
        case 'garbage':
          status = 200;
          body = Buffer.from(
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>We\'re sorr',
          );
          break;
        case 'wrong-shape':
          status = 200;
          body = railsJson(
            Array.isArray(routed.body) ? [{ id: 1, content: null }] : { id: 1, content: null },
          );
          break;
      }
    } else if (routed.link) {
      headers.Link = routed.link;
    }
    if (status === 200) headers.ETag = `W/"${createHash('md5').update(body).digest('hex')}"`;
    const chunked = options.chunked === true && req.method !== 'HEAD' && body.length > 1;
    if (chunked) headers['Transfer-Encoding'] = 'chunked';
    else headers['Content-Length'] = String(body.length);
    const response = (entry.response = { status, headers, body } as NonNullable<LoggedRequest['response']>);
    res.writeHead(status, headers);
    if (chunked) res.write(body.subarray(0, body.length >> 1));
    res.end(req.method === 'HEAD' ? undefined : chunked ? body.subarray(body.length >> 1) : body);
    response.head = writtenHead(res);
  }

  function instanceJson(): Json {
    return {
      uri: host,
      title: 'Fake Mastodon',
      short_description: 'An in-memory Mastodon for tests',
      description: '',
      email: 'admin@example.org',
      version: '4.3.2',
      urls: { streaming_api: origin.replace(/^http/, 'ws') },
      stats: { user_count: accounts.size, status_count: statuses.size, domain_count: 1 },
      thumbnail: null,
      languages: ['en'],
      registrations: false,
      approval_required: false,
      invites_enabled: false,
      configuration: {
        statuses: { max_characters: 500, max_media_attachments: 4, characters_reserved_per_url: 23 },
      },
      contact_account: null,
      rules: [],
    };
  }

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = `127.0.0.1:${port}`;
  origin = `http://${host}`;

  const asEntity = (json: Json) => json as EntityJson;

  return {
    origin,
    host,
    requestLog,
    files,
    addAccount(input) {
      if (findAccount(input.username)) throw new Error(`fake mastodon: @${input.username} exists`);
      nextAccountId += 1n;
      const account: AccountRecord = {
        id: nextAccountId.toString(),
        username: input.username,
        displayName: input.displayName ?? '',
        note: input.note ?? '',
        bot: input.bot ?? false,
        website: input.website ?? null,
        createdAt: toIso(input.createdAt ?? new Date()),
      };
      accounts.set(account.id, account);
      return asEntity(renderAccount(account, ctx));
    },
    publish(username, input) {
      const account = findAccount(username);
      if (!account) throw new Error(`fake mastodon: no account @${username}`);
      const createdAt = toIso(input.createdAt ?? new Date());
      const replied = input.inReplyToId ? requireStatus(input.inReplyToId) : null;
      if (input.reblogOf) requireStatus(input.reblogOf);
      if (input.quoteOf) requireStatus(input.quoteOf);
      const content = input.reblogOf ? '' : (input.content ?? '');
      const status: StatusRecord = {
        id: newStatusId(createdAt),
        accountId: account.id,
        createdAt,
        editedAt: null,
        content: content.trimStart().startsWith('<') || content === '' ? content : mastodonHtml(content),
        spoilerText: input.spoilerText ?? '',
        sensitive: input.sensitive ?? false,
        language: input.reblogOf ? null : input.language === undefined ? 'en' : input.language,
        visibility: input.visibility ?? 'public',
        inReplyToId: replied?.id ?? null,
        inReplyToAccountId: replied?.accountId ?? null,
        reblogOfId: input.reblogOf ?? null,
        quoteOfId: input.quoteOf ?? null,
        media: (input.media ?? []).map((m) => {
          nextMediaId += 1n;
          return { id: nextMediaId.toString(), type: m.type, description: m.description ?? null };
        }),
        tags: input.tags ?? [],
        deleted: false,
      };
      statuses.set(status.id, status);
      return asEntity(renderStatus(status, ctx));
    },
    edit(id, content, changes = {}) {
      const status = requireStatus(id);
      const edits = (status.edits ??= []);
      if (edits.length === 0) edits.push(snapshotOf(status, status.createdAt));
      const previous = Date.parse(status.editedAt ?? status.createdAt);
      const at = Math.max(Date.parse(toIso(changes.at ?? new Date())), previous + 1);
      status.content = content.trimStart().startsWith('<') ? content : mastodonHtml(content);
      if (changes.spoilerText !== undefined) status.spoilerText = changes.spoilerText;
      status.editedAt = toIso(new Date(at));
      edits.push(snapshotOf(status, status.editedAt));
      return asEntity(renderStatus(status, ctx));
    },
    remove(id) {
      requireStatus(id).deleted = true;
    },
    restore(id) {
      requireStatus(id).deleted = false;
    },
    statusJson: (id) => asEntity(renderStatus(requireStatus(id), ctx)),
    accountJson(username) {
      const account = findAccount(username);
      if (!account) throw new Error(`fake mastodon: no account @${username}`);
      return asEntity(renderAccount(account, ctx));
    },
    fail(rule) {
      failures.push({ ...rule });
    },
    clearFailures() {
      failures.length = 0;
    },
    /** Ends hanging requests and open connections. Safe to call twice. */
    close: () => closeFakeServer(server, hanging),
  };
}

/** What an anonymous reader may see: neither deleted nor private/direct. */
function isPublicStatus(status: StatusRecord): boolean {
  return !status.deleted && (status.visibility === 'public' || status.visibility === 'unlisted');
}

/** Rails' truthy_param?: anything but false-ish strings. */
function truthy(value: string | null): boolean {
  return value !== null && !['', '0', 'f', 'false', 'off', 'F', 'FALSE', 'OFF'].includes(value);
}

function compareBig(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The request's carried parameters plus the page cursor, sorted by name as Rails' to_query writes them. */
function linkQuery(query: URLSearchParams, cursorName: 'max_id' | 'min_id', cursor: string): string {
  const pairs: [string, string][] = CARRIED_PARAMS.filter((name) => query.has(name)).map((name) => [
    name,
    query.get(name) ?? '',
  ]);
  pairs.push([cursorName, cursor]);
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** Mastodon's created_at: ISO 8601 UTC with milliseconds and Z. */
function toIso(value: string | Date): string {
  return new Date(value).toISOString();
}

/** Rails' iso8601(6), as in X-RateLimit-Reset: 2026-11-25T13:35:00.000000Z */
function railsTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
