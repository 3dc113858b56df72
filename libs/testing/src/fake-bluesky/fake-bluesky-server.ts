import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Secp256k1Keypair } from '@atproto/crypto';
import { closeFakeServer } from '../fake-server-support';
import {
  type FakeRepoAccount,
  POST_COLLECTION,
  createRepoAccount,
  deletePost,
  didDocumentOf,
  nextRkey,
  plcAuditEntries,
  plcKeyChange,
  recordProofCar,
  writePost,
} from './bluesky-repos';

export type BlueskyFailureMode =
  /** 429 with RateLimit-Remaining 0 and RateLimit-Reset = resetAt (unix seconds), as the XRPC server sends */
  | 'rate-limited'
  /** 500 with an XRPC InternalServerError body */
  | 'server-error'
  /** 200, application/json, with a body that is not JSON (cut short) */
  | 'bad-json'
  /** the AppView shows other words for the posts it serves, under their genuine CIDs */
  | 'tampered-text'
  /** getRecord answers a CAR with one byte of the record block flipped */
  | 'corrupt-car'
  /** getRecord answers a genuine CAR of another repository's commit, signed by another key */
  | 'foreign-car'
  /** the PLC audit log ends with a validly signed key change the DID document does not show */
  | 'plc-log-other-key'
  /** the PLC audit log's last operation carries another signature (one byte of it changed) */
  | 'plc-log-bad-signature';

export interface BlueskyFailureRule {
  mode: BlueskyFailureMode;
  /** only requests whose path (query aside) is exactly this, e.g. `/xrpc/app.bsky.feed.getAuthorFeed` */
  path?: string;
  resetAt?: Date;
  /** how many requests fail before the rule wears off; default: every request */
  times?: number;
}

export interface BlueskyLoggedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  response?: { status: number; headers: Record<string, string>; body: Buffer };
}

export interface FakeBlueskyPost {
  uri: string;
  rkey: string;
  cid: string;
  record: Record<string, unknown>;
  indexedAt: string;
}

interface FeedItem {
  post: FakeBlueskyPost;
  author: FakeRepoAccount;
  repostedBy?: FakeRepoAccount;
  at: string;
}

export interface FakeBluesky {
  /** `http://127.0.0.1:<port>`: AppView, PLC directory and PDS alike */
  readonly origin: string;
  readonly requestLog: BlueskyLoggedRequest[];
  addAccount(input: { handle: string; displayName?: string }): Promise<FakeRepoAccount>;
  account(handle: string): FakeRepoAccount;
  publish(
    handle: string,
    input: { text: string; langs?: string[]; createdAt?: string },
  ): Promise<FakeBlueskyPost>;
  /** rewrites the record (an `update` op): same URI, new CID */
  edit(uri: string, text: string): Promise<FakeBlueskyPost>;
  /** deletes the record from the repository; the AppView forgets it */
  remove(uri: string): Promise<void>;
  /** `handle` reposts the post: it shows in their feed with a reasonRepost */
  repost(handle: string, uri: string): void;
  post(uri: string): FakeBlueskyPost | undefined;
  fail(rule: BlueskyFailureRule): void;
  clearFailures(): void;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * A fake Bluesky on 127.0.0.1 serving the AppView's XRPC routes (public.api.bsky.app), a PLC directory and a
 * PDS. Posts live in REAL AT Protocol repositories (@atproto/repo, secp256k1 keys from @atproto/crypto), so
 * `com.atproto.sync.getRecord` answers genuine signed proofs. JSON is shaped as the AppView's lexicons have it.
 */
export async function startFakeBluesky(): Promise<FakeBluesky> {
  const accounts = new Map<string, FakeRepoAccount>();
  const posts = new Map<string, { post: FakeBlueskyPost; author: FakeRepoAccount }>();
  const feed: FeedItem[] = [];
  const requestLog: BlueskyLoggedRequest[] = [];
  const rules: BlueskyFailureRule[] = [];
  const hanging = new Set<ServerResponse>();
  let origin = '';

  const byActor = (actor: string) =>
    [...accounts.values()].find((a) => a.did === actor || a.handle === actor.toLowerCase());

  function profileBasic(account: FakeRepoAccount) {
    return {
      did: account.did,
      handle: account.handle,
      displayName: account.displayName,
      avatar: `https://cdn.bsky.app/img/avatar/plain/${account.did}/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku@jpeg`,
      associated: { chat: { allowIncoming: 'following' } },
      labels: [],
      createdAt: account.createdAt,
    };
  }

  function postView(entry: { post: FakeBlueskyPost; author: FakeRepoAccount }) {
    return {
      uri: entry.post.uri,
      cid: entry.post.cid,
      author: profileBasic(entry.author),
      record: entry.post.record,
      bookmarkCount: 0,
      replyCount: 0,
      repostCount: feed.filter((f) => f.repostedBy && f.post.uri === entry.post.uri).length,
      likeCount: 0,
      quoteCount: 0,
      indexedAt: entry.post.indexedAt,
      viewer: { bookmarked: false, threadMuted: false, embeddingDisabled: false },
      labels: [],
    };
  }

  function xrpcError(status: number, error: string, message: string) {
    return {
      status,
      headers: { 'content-type': JSON_TYPE },
      body: Buffer.from(JSON.stringify({ error, message })),
    };
  }

  function json(value: unknown) {
    return { status: 200, headers: { 'content-type': JSON_TYPE }, body: Buffer.from(JSON.stringify(value)) };
  }

  type Answer = { status: number; headers: Record<string, string>; body: Buffer };

  async function route(url: URL): Promise<Answer> {
    const q = url.searchParams;
    const auditLog = /^\/(did:plc:[a-z2-7]{24})\/log\/audit$/.exec(url.pathname);
    if (auditLog) {
      const account = byActor(auditLog[1]);
      if (!account || account.plcOperations.length === 0)
        return {
          status: 404,
          headers: { 'content-type': JSON_TYPE },
          body: Buffer.from('{"message":"DID not registered"}'),
        };
      return json(await plcAuditEntries(account.did, account.plcOperations));
    }
    if (url.pathname.startsWith('/did:plc:')) {
      const account = byActor(decodeURIComponent(url.pathname.slice(1)));
      if (!account)
        return {
          status: 404,
          headers: { 'content-type': JSON_TYPE },
          body: Buffer.from('{"message":"DID not registered"}'),
        };
      return {
        status: 200,
        headers: { 'content-type': 'application/did+ld+json; charset=utf-8' },
        body: Buffer.from(JSON.stringify(didDocumentOf(account, origin))),
      };
    }
    switch (url.pathname) {
      case '/xrpc/com.atproto.identity.resolveHandle': {
        const account = byActor(q.get('handle') ?? '');
        return account
          ? json({ did: account.did })
          : xrpcError(400, 'InvalidRequest', 'Unable to resolve handle');
      }
      case '/xrpc/app.bsky.actor.getProfile': {
        const account = byActor(q.get('actor') ?? '');
        if (!account) return xrpcError(400, 'InvalidRequest', 'Profile not found');
        const own = feed.filter((f) => f.author === account && !f.repostedBy).length;
        return json({
          ...profileBasic(account),
          description: `Official account of ${account.displayName}.`,
          indexedAt: account.createdAt,
          followersCount: 1200,
          followsCount: 12,
          postsCount: own,
        });
      }
      case '/xrpc/app.bsky.feed.getAuthorFeed': {
        const account = byActor(q.get('actor') ?? '');
        if (!account) return xrpcError(400, 'InvalidRequest', 'Profile not found');
        const limit = Math.min(100, Math.max(1, Number(q.get('limit') ?? 50)));
        const items = feed
          .filter((f) => (f.repostedBy ?? f.author) === account && posts.has(f.post.uri))
          .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
        const start = Number(q.get('cursor') ?? 0);
        const page = items.slice(start, start + limit);
        return json({
          feed: page.map((f) => ({
            post: postView({ post: f.post, author: f.author }),
            ...(f.repostedBy
              ? {
                  reason: {
                    $type: 'app.bsky.feed.defs#reasonRepost',
                    by: profileBasic(f.repostedBy),
                    indexedAt: f.at,
                  },
                }
              : {}),
          })),
          ...(start + limit < items.length ? { cursor: String(start + limit) } : {}),
        });
      }
      case '/xrpc/app.bsky.feed.getPosts': {
        const uris = q.getAll('uris');
        if (uris.length > 25)
          return xrpcError(400, 'InvalidRequest', 'Error: uris must not have more than 25 elements');
        return json({
          posts: uris.flatMap((uri) => {
            const entry = posts.get(uri);
            return entry ? [postView(entry)] : [];
          }),
        });
      }
      case '/xrpc/app.bsky.feed.getPostThread': {
        const uri = q.get('uri') ?? '';
        const entry = posts.get(uri);
        if (!entry) return xrpcError(400, 'NotFound', `Post not found: ${uri}`);
        return json({
          thread: {
            $type: 'app.bsky.feed.defs#threadViewPost',
            post: postView(entry),
            replies: [],
            threadContext: {},
          },
        });
      }
      case '/xrpc/com.atproto.sync.getRecord': {
        const account = byActor(q.get('did') ?? '');
        if (!account) return xrpcError(400, 'RepoNotFound', `Could not find repo for DID: ${q.get('did')}`);
        const rkey = q.get('rkey') ?? '';
        const uri = `at://${account.did}/${q.get('collection')}/${rkey}`;
        if (!posts.has(uri)) return xrpcError(400, 'RecordNotFound', `Could not locate record: ${uri}`);
        return {
          status: 200,
          headers: { 'content-type': 'application/vnd.ipld.car' },
          body: await recordProofCar(account, rkey),
        };
      }
      default:
        return xrpcError(404, 'MethodNotImplemented', 'Method Not Implemented');
    }
  }

  async function injected(rule: BlueskyFailureRule, url: URL, real: Answer): Promise<Answer> {
    switch (rule.mode) {
      case 'rate-limited': {
        const reset = Math.ceil((rule.resetAt?.getTime() ?? Date.now() + 60_000) / 1000);
        return {
          status: 429,
          headers: {
            'content-type': JSON_TYPE,
            'ratelimit-limit': '3000',
            'ratelimit-remaining': '0',
            'ratelimit-reset': String(reset),
            'ratelimit-policy': '3000;w=300',
          },
          body: Buffer.from('{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}'),
        };
      }
      case 'server-error':
        return xrpcError(500, 'InternalServerError', 'Internal Server Error');
      case 'bad-json':
        return {
          status: 200,
          headers: { 'content-type': JSON_TYPE },
          body: Buffer.from('{"feed":[{"post":{"uri":"at://'),
        };
      case 'tampered-text': {
        if (real.status !== 200) return real;
        const tamper = (value: unknown): unknown => {
          if (Array.isArray(value)) return value.map(tamper);
          if (typeof value !== 'object' || value === null) return value;
          const entries = Object.entries(value).map(([k, v]) => [k, tamper(v)]);
          const object = Object.fromEntries(entries) as Record<string, unknown>;
          if (object.$type === POST_COLLECTION && typeof object.text === 'string')
            object.text = 'Tampered words.';
          return object;
        };
        return { ...real, body: Buffer.from(JSON.stringify(tamper(JSON.parse(real.body.toString())))) };
      }
      case 'corrupt-car': {
        if (real.status !== 200) return real;
        const account = byActor(url.searchParams.get('did') ?? '');
        const post = posts.get(`at://${account?.did}/${POST_COLLECTION}/${url.searchParams.get('rkey')}`);
        const words = Buffer.from(String(post?.post.record.text ?? ''));
        const at = words.length > 0 ? real.body.lastIndexOf(words) : -1;
        const body = Buffer.from(real.body);
        body[at >= 0 ? at : body.length - 1] ^= 0x01;
        return { ...real, body };
      }
      case 'plc-log-other-key':
      case 'plc-log-bad-signature': {
        // only the audit log is falsified (a rule without a path still passes other requests through)
        const account = byActor(/^\/(did:plc:[a-z2-7]{24})\/log\/audit$/.exec(url.pathname)?.[1] ?? '');
        if (real.status !== 200 || !account) return real;
        const operations = [...account.plcOperations];
        if (rule.mode === 'plc-log-other-key') {
          const other = await Secp256k1Keypair.create();
          operations.push(await plcKeyChange(account, other.did()));
        } else {
          const last = { ...operations[operations.length - 1] };
          last.sig = `${last.sig[0] === 'A' ? 'B' : 'A'}${last.sig.slice(1)}`;
          operations[operations.length - 1] = last;
        }
        return json(await plcAuditEntries(account.did, operations));
      }
      case 'foreign-car': {
        // the same DID and record path, but a repository signed by a key the DID document does not name
        const impostor = await createRepoAccount('impostor.example', 'Impostor', {
          did: url.searchParams.get('did') ?? undefined,
        });
        const rkey = url.searchParams.get('rkey') ?? nextRkey();
        const record = { $type: POST_COLLECTION, text: 'Not theirs.', createdAt: new Date().toISOString() };
        await writePost(impostor, rkey, record, 'create');
        return {
          ...real,
          status: 200,
          headers: { 'content-type': 'application/vnd.ipld.car' },
          body: await recordProofCar(impostor, rkey),
        };
      }
    }
  }

  function matchingRule(path: string): BlueskyFailureRule | undefined {
    const rule = rules.find((r) => !r.path || r.path === path);
    if (rule && rule.times !== undefined && --rule.times <= 0) rules.splice(rules.indexOf(rule), 1);
    return rule;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const entry: BlueskyLoggedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      query: url.searchParams,
    };
    requestLog.push(entry);
    const rule = matchingRule(url.pathname);
    const real = await route(url);
    const answer = rule ? await injected(rule, url, real) : real;
    const reset = String(Math.ceil(Date.now() / 1000) + 300);
    const headers = {
      'ratelimit-limit': '3000',
      'ratelimit-remaining': '2999',
      'ratelimit-reset': reset,
      'ratelimit-policy': '3000;w=300',
      ...answer.headers,
      'content-length': String(answer.body.length),
    };
    entry.response = { status: answer.status, headers, body: answer.body };
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': JSON_TYPE });
      res.end(JSON.stringify({ error: 'InternalServerError', message: String(error) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function accountNamed(handle: string): FakeRepoAccount {
    const account = accounts.get(handle);
    if (!account) throw new Error(`fake Bluesky: no account ${handle}`);
    return account;
  }

  function entryOf(uri: string) {
    const entry = posts.get(uri);
    if (!entry) throw new Error(`fake Bluesky: no post ${uri}`);
    return entry;
  }

  return {
    origin,
    requestLog,
    async addAccount({ handle, displayName }) {
      const account = await createRepoAccount(handle, displayName ?? handle, { pdsUrl: origin });
      accounts.set(handle, account);
      return account;
    },
    account: accountNamed,
    async publish(handle, input) {
      const author = accountNamed(handle);
      const rkey = nextRkey();
      const record = {
        $type: POST_COLLECTION,
        createdAt: input.createdAt ?? new Date().toISOString(),
        langs: input.langs ?? ['en'],
        text: input.text,
      };
      const cid = await writePost(author, rkey, record, 'create');
      const post = {
        uri: `at://${author.did}/${POST_COLLECTION}/${rkey}`,
        rkey,
        cid,
        record,
        indexedAt: new Date().toISOString(),
      };
      posts.set(post.uri, { post, author });
      feed.push({ post, author, at: `${record.createdAt}#${String(feed.length).padStart(6, '0')}` });
      return post;
    },
    async edit(uri, text) {
      const entry = entryOf(uri);
      const record = { ...entry.post.record, text };
      const cid = await writePost(entry.author, entry.post.rkey, record, 'update');
      Object.assign(entry.post, { cid, record, indexedAt: new Date().toISOString() });
      return entry.post;
    },
    async remove(uri) {
      const entry = entryOf(uri);
      await deletePost(entry.author, entry.post.rkey);
      posts.delete(uri);
    },
    repost(handle, uri) {
      const entry = entryOf(uri);
      feed.push({
        ...entry,
        repostedBy: accountNamed(handle),
        at: `${new Date().toISOString()}#${String(feed.length).padStart(6, '0')}`,
      });
    },
    post: (uri) => posts.get(uri)?.post,
    fail(rule) {
      rules.push({ ...rule });
    },
    clearFailures() {
      rules.length = 0;
    },
    close: () => closeFakeServer(server, hanging),
  };
}
