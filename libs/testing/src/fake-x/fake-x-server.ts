import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import {
  type XLinkRecord,
  type XMediaRecord,
  type XReferenceType,
  type XTweetRecord,
  type XUserRecord,
  XStore,
  problem,
  resourceError,
  routeXRequest,
  snowflakeAt,
} from '@app/sandbox';
import { closeFakeServer } from '../fake-server-support';

export const FAKE_X_TOKEN = 'fake-x-bearer-token-0123456789';

export type XFailureMode =
  /** 429 with x-rate-limit-remaining 0 and x-rate-limit-reset = resetAt (unix seconds) */
  | 'rate-limited'
  /** 500 */
  | 'server-error'
  /** accepts the request and never answers (until close) */
  | 'hang'
  /** 404 with X's not-found errors[] body for the ids asked */
  | 'not-found'
  /** 200 whose errors[] names every id asked as not found (`resource-not-found`) */
  | 'errors-not-found'
  /** 200, application/json, but an HTML error page cut short */
  | 'garbage'
  /** 200 with a JSON body of `hugeBytes` bytes */
  | 'huge';

export interface XFailureRule {
  mode: XFailureMode;
  /** only requests whose path (query aside) starts with this */
  path?: string;
  /** only requests to exactly this path (query aside) */
  exactPath?: string;
  resetAt?: Date;
  /** how many requests fail before the rule wears off; default: every request */
  times?: number;
  /** size of a `huge` body; default 11 MiB */
  hugeBytes?: number;
}

export interface XLoggedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  response?: { status: number; headers: Record<string, string>; body: Buffer };
}

export interface PublishXInput {
  text: string;
  createdAt?: string | Date;
  lang?: string;
  references?: { type: XReferenceType; id: string }[];
  media?: Omit<XMediaRecord, 'mediaKey'>[];
  links?: XLinkRecord[];
}

export interface FakeX {
  /** `http://127.0.0.1:<port>`: API, syndication and oEmbed base URL alike */
  readonly origin: string;
  readonly token: string;
  readonly store: XStore;
  readonly requestLog: XLoggedRequest[];
  addUser(input: { username: string; name?: string; id?: string }): XUserRecord;
  publish(username: string, input: PublishXInput): XTweetRecord;
  /** an edit: a new version with a new id, appended to every version's edit history */
  edit(id: string, text: string): XTweetRecord;
  /** deletes the whole edit chain the id belongs to */
  remove(id: string): void;
  suspend(username: string): void;
  protect(username: string): void;
  withhold(id: string): void;
  fail(rule: XFailureRule): void;
  clearFailures(): void;
  close(): Promise<void>;
}

/**
 * A fake X on 127.0.0.1: the v2 API, syndication and oEmbed answered by the same renderers as the demo's
 * sandbox (libs/sandbox/src/x), plus failure injection and a request log.
 */
export async function startFakeX(
  options: { token?: string; singleLookupMissing?: '404' | '200-errors' } = {},
): Promise<FakeX> {
  const token = options.token ?? FAKE_X_TOKEN;
  const store = new XStore();
  const requestLog: XLoggedRequest[] = [];
  const rules: XFailureRule[] = [];
  const hanging = new Set<ServerResponse>();
  let origin = '';
  let sequence = 0;
  let mediaCount = 0;

  /** A snowflake carrying `at`, as X's ids do; the sequence bits keep ids made in one millisecond apart. */
  function nextId(at: Date): string {
    sequence = (sequence + 1) % 0x400000;
    return snowflakeAt(at, sequence);
  }

  function userNamed(username: string): XUserRecord {
    const user = store.userByUsername(username);
    if (!user) throw new Error(`fake X: no user ${username}`);
    return user;
  }

  function chainOf(id: string): XTweetRecord[] {
    const tweet = store.tweet(id);
    if (!tweet) throw new Error(`fake X: no post ${id}`);
    return tweet.editHistory.map((v) => store.tweet(v)).filter((t): t is XTweetRecord => t !== undefined);
  }

  function matchingRule(path: string): XFailureRule | undefined {
    const rule = rules.find(
      (r) => (!r.path || path.startsWith(r.path)) && (!r.exactPath || path === r.exactPath),
    );
    if (rule && rule.times !== undefined && --rule.times <= 0) rules.splice(rules.indexOf(rule), 1);
    return rule;
  }

  function injected(
    rule: XFailureRule,
    url: URL,
  ): { status: number; headers: Record<string, string>; body: Buffer } | null {
    const jsonHeaders = { 'content-type': 'application/json; charset=utf-8' };
    const ids = (url.searchParams.get('ids') ?? url.pathname.split('/').pop() ?? '').split(',');
    const notFound = {
      errors: ids.map((id) => resourceError('not-found', { type: 'tweet', parameter: 'ids', value: id })),
    };
    switch (rule.mode) {
      case 'hang':
        return null;
      case 'rate-limited': {
        const reset = Math.ceil((rule.resetAt?.getTime() ?? Date.now() + 60_000) / 1000);
        return {
          status: 429,
          headers: {
            ...jsonHeaders,
            'x-rate-limit-limit': '900',
            'x-rate-limit-reset': String(reset),
            'x-rate-limit-remaining': '0',
          },
          body: Buffer.from(JSON.stringify(problem(429, 'Too Many Requests'))),
        };
      }
      case 'server-error':
        return {
          status: 500,
          headers: jsonHeaders,
          body: Buffer.from('{"title":"Internal Server Error","type":"about:blank","status":500}'),
        };
      case 'not-found':
        return { status: 404, headers: jsonHeaders, body: Buffer.from(JSON.stringify(notFound)) };
      case 'errors-not-found':
        return { status: 200, headers: jsonHeaders, body: Buffer.from(JSON.stringify(notFound)) };
      case 'garbage':
        return { status: 200, headers: jsonHeaders, body: Buffer.from('<html><body><h1>Something went wr') };
      case 'huge': {
        const size = rule.hugeBytes ?? 11 * 1024 * 1024;
        const body = Buffer.alloc(size, 0x20);
        body.write('{"data":[', 0);
        body.write(']}', size - 2);
        return { status: 200, headers: jsonHeaders, body };
      }
    }
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', origin);
    const entry: XLoggedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      query: url.searchParams,
      headers: req.headers,
    };
    requestLog.push(entry);
    const rule = matchingRule(url.pathname);
    const answer = rule
      ? injected(rule, url)
      : routeXRequest(store, req.method ?? 'GET', url, req.headers.authorization, {
          bearerToken: token,
          singleLookupMissing: options.singleLookupMissing,
        });
    if (answer === null) {
      hanging.add(res);
      return;
    }
    const headers = { ...answer.headers, 'content-length': String(answer.body.length) };
    entry.response = { status: answer.status, headers, body: answer.body };
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  }

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    token,
    store,
    requestLog,
    addUser({ username, name, id }) {
      return store.addUser({
        id: id ?? nextId(new Date()),
        username,
        name: name ?? username,
        protected: false,
        suspended: false,
      });
    },
    publish(username, input) {
      const user = userNamed(username);
      const createdAt = new Date(input.createdAt ?? Date.now());
      const id = nextId(createdAt);
      return store.addTweet({
        id,
        authorId: user.id,
        text: input.text,
        createdAt: new Date(Math.floor(createdAt.getTime() / 1000) * 1000).toISOString(),
        lang: input.lang ?? 'en',
        editHistory: [id],
        references: input.references ?? [],
        media: (input.media ?? []).map((m) => ({
          ...m,
          mediaKey: `${m.type === 'photo' ? 3 : 7}_${++mediaCount}`,
        })),
        ...(input.links ? { links: input.links } : {}),
        deleted: false,
        withheld: false,
      });
    },
    edit(id, text) {
      const chain = chainOf(id);
      const latest = chain[chain.length - 1];
      const newId = nextId(new Date());
      const history = [...latest.editHistory, newId];
      for (const version of chain) version.editHistory = history;
      return store.addTweet({
        ...latest,
        id: newId,
        text,
        createdAt: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString(),
        editHistory: history,
      });
    },
    remove(id) {
      for (const version of chainOf(id)) version.deleted = true;
    },
    suspend(username) {
      userNamed(username).suspended = true;
    },
    protect(username) {
      userNamed(username).protected = true;
    },
    withhold(id) {
      for (const version of chainOf(id)) version.withheld = true;
    },
    fail(rule) {
      rules.push({ ...rule });
    },
    clearFailures() {
      rules.length = 0;
    },
    close: () => closeFakeServer(server, hanging),
  };
}
