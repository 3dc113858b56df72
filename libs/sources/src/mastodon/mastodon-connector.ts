import { z } from 'zod';
import { ErrorCode, SourceError } from '@app/core';
import {
  type Connector,
  type FetchedPost,
  type PostAnswer,
  type PostRef,
  type PollResult,
  type RawArtifact,
  type ResolvedAccount,
} from '../connector';
import { cursorReader } from '../cursor';
import { type GuardedHttpClient, type HttpResponse, responseArtifacts, throwForStatus } from '../http';
import {
  type MastodonAccount,
  type MastodonStatus,
  invalid,
  parseAccount,
  parseJson,
} from './mastodon-entities';
import { MastodonEditHistoryReader } from './mastodon-edit-history';
import { compareIds, newestId } from './mastodon-ids';
import { parsePageLinks } from './mastodon-link-header';
import { MastodonRecheck } from './mastodon-recheck';
import { handleFor, parseMastodonAccountUrl, parseMastodonPostUrl } from './mastodon-urls';
import { inThreadMastodonParsing, type MastodonParsing } from './mastodon-parsing';

/** Mastodon's largest page of account statuses. */
export const MASTODON_PAGE_LIMIT = 40;

export interface MastodonConnectorOptions {
  /** how many posts the first poll of an account reads back; default 200 */
  backfillLimit?: number;
  /** most pages one poll may read, so a misbehaving server cannot keep us paging; default 50 */
  maxPages?: number;
  /** most single status lookups one `fetchMany` may make (servers before 4.3 have no batch route); default 50 */
  maxSingleLookups?: number;
  /** most edit history requests one poll, capture or `fetchMany` may make; default 20 */
  maxHistoryLookups?: number;
  /** most versions one post's edit history may add (the first missed edit and the newest); default 50 */
  maxHistoryVersions?: number;
  /** where pages are read and statuses become statements; default in this thread (servers pass a worker thread for big ones) */
  parsing?: MastodonParsing;
}

/** Where the last poll stopped: the newest status id seen (ids compare as integers, kept as strings). */
const mastodonCursor = z
  .object({
    sinceId: z
      .string()
      .regex(/^[0-9]{1,30}$/, 'must be a Mastodon status id')
      .optional(),
  })
  .strict();
export type MastodonCursor = z.infer<typeof mastodonCursor>;

interface Page {
  statuses: MastodonStatus[];
  artifacts: RawArtifact[];
  httpStatus: number;
  nextMaxId: string | null;
  prevMinId: string | null;
}

/** Reads public Mastodon accounts and posts through the REST API (v1), without a token. */
export class MastodonConnector implements Connector<MastodonCursor> {
  readonly platform = 'mastodon' as const;
  readonly describes = 'a Mastodon profile URL (https://host/@user) or post URL (https://host/@user/123)';
  private readonly backfillLimit: number;
  private readonly maxPages: number;
  private readonly maxSingleLookups: number;
  private readonly maxHistoryLookups: number;
  private readonly maxHistoryVersions: number;
  private readonly parsing: MastodonParsing;

  constructor(
    private readonly http: Pick<GuardedHttpClient, 'request'>,
    options: MastodonConnectorOptions = {},
  ) {
    this.backfillLimit = Math.max(1, options.backfillLimit ?? 200);
    this.maxPages = Math.max(1, options.maxPages ?? 50);
    this.maxSingleLookups = Math.max(0, options.maxSingleLookups ?? 50);
    this.maxHistoryLookups = Math.max(0, options.maxHistoryLookups ?? 20);
    this.maxHistoryVersions = Math.max(1, options.maxHistoryVersions ?? 50);
    this.parsing = options.parsing ?? inThreadMastodonParsing();
  }

  readonly readCursor = cursorReader('Mastodon', mastodonCursor);

  canTrack(url: URL): boolean {
    return parseMastodonAccountUrl(url) !== null;
  }

  canCapture(url: URL): boolean {
    return parseMastodonPostUrl(url) !== null;
  }

  async resolve(url: URL): Promise<ResolvedAccount> {
    const ref = parseMastodonAccountUrl(url);
    if (!ref) throw new SourceError(ErrorCode.UnsupportedUrl, `not ${this.describes}: ${url.href}`);
    const what = `Mastodon ${ref.host} account @${ref.username}`;
    const lookup = new URL('/api/v1/accounts/lookup', ref.origin);
    lookup.searchParams.set('acct', ref.username);
    const response = await this.get(lookup);
    if (response.status === 404) {
      throw new SourceError(ErrorCode.SourceNotFound, `no account @${ref.username} on ${ref.host}`, 404);
    }
    this.throwForStatus(response, what, ref.host);
    const account = parseAccount(parseJson(response.body, what), what);
    return toResolvedAccount(account, ref.origin, ref.host);
  }

  async poll(account: ResolvedAccount, cursor: MastodonCursor): Promise<PollResult<MastodonCursor>> {
    const origin = originOf(account.sourceUrl);
    const host = new URL(origin).host;
    const known = cursor.sinceId;
    const read = known
      ? await this.readForward(account, origin, host, known)
      : await this.readBack(account, origin, host);
    const fresh = known ? read.posts.filter((p) => compareIds(p.status.id, known) > 0) : read.posts;
    if (fresh.length === 0) return { kind: 'unchanged', httpStatus: read.httpStatus, cursor: { ...cursor } };
    fresh.sort((a, b) => compareIds(a.status.id, b.status.id));
    const history = this.historyReader(origin, host);
    const contents = await this.parsing.convert(
      fresh.map((p) => p.status),
      host,
    );
    const posts: FetchedPost[] = [];
    for (const [i, { status, artifacts }] of fresh.entries()) {
      const post: FetchedPost = {
        content: { ...contents[i], account: account.handle },
        artifacts,
        evidenceLevel: 'captured',
      };
      posts.push(await history.attach(status, post));
    }
    const sinceId = newestId(fresh.map((p) => p.status.id)) ?? known;
    return { kind: 'posts', httpStatus: read.httpStatus, posts, cursor: { ...cursor, sinceId } };
  }

  async fetchPost(url: URL): Promise<{ account: ResolvedAccount; post: FetchedPost }> {
    const ref = parseMastodonPostUrl(url);
    if (!ref)
      throw new SourceError(
        ErrorCode.UnsupportedUrl,
        `not a Mastodon post URL (https://host/@user/123): ${url.href}`,
      );
    const what = `Mastodon ${ref.host} status ${ref.statusId}`;
    const response = await this.get(new URL(`/api/v1/statuses/${ref.statusId}`, ref.origin));
    if (response.status === 404) {
      throw new SourceError(
        ErrorCode.SourceNotFound,
        `no post ${ref.statusId} on ${ref.host} (deleted or not public)`,
        404,
      );
    }
    this.throwForStatus(response, what, ref.host);
    const status = await this.parsing.readStatus(response.body, what);
    // Mastodon itself answers 404 to /@someone-else/<id>
    if (status.account.username.toLowerCase() !== ref.username.toLowerCase()) {
      throw new SourceError(
        ErrorCode.SourceNotFound,
        `post ${ref.statusId} on ${ref.host} is not by @${ref.username}`,
        404,
      );
    }
    if (status.id !== ref.statusId) throw invalid(what, `the server answered with status ${status.id}`);
    const [content] = await this.parsing.convert([status], ref.host);
    const post: FetchedPost = {
      content,
      artifacts: artifactsOf(response),
      evidenceLevel: 'captured',
    };
    return {
      account: toResolvedAccount(status.account, ref.origin, ref.host),
      post: await this.historyReader(ref.origin, ref.host).attach(status, post),
    };
  }

  /** "Capture this URL now": for Mastodon, the one post a post URL names. */
  async capture(url: URL): Promise<{ account: ResolvedAccount; posts: FetchedPost[] }> {
    const { account, post } = await this.fetchPost(url);
    return { account, posts: [post] };
  }

  /**
   * Re-reads known posts with `GET /api/v1/statuses?id[]=` (Mastodon 4.3+) in chunks, then one
   * `GET /api/v1/statuses/:id` for each post a batch left out; one answer per ref, in their order.
   */
  fetchMany(account: ResolvedAccount, refs: PostRef[]): Promise<PostAnswer[]> {
    const origin = originOf(account.sourceUrl);
    const host = new URL(origin).host;
    const recheck = new MastodonRecheck(account, {
      get: (url) => this.get(url),
      origin,
      host,
      maxSingleLookups: this.maxSingleLookups,
      history: this.historyReader(origin, host),
      parsing: this.parsing,
    });
    return recheck.run(refs);
  }

  /** One reader per poll, capture or re-check, so its request budget is per call. */
  private historyReader(origin: string, host: string): MastodonEditHistoryReader {
    return new MastodonEditHistoryReader({
      get: (url) => this.get(url),
      origin,
      host,
      maxLookups: this.maxHistoryLookups,
      maxVersions: this.maxHistoryVersions,
      parsing: this.parsing,
    });
  }

  /**
   * Everything newer than `sinceId`, walking forward with min_id: each page holds the posts immediately above
   * the cursor and its rel="prev" link carries the next one. (since_id would return only the newest page and
   * leave a gap after a burst.) Stops at an empty page.
   */
  private async readForward(account: ResolvedAccount, origin: string, host: string, sinceId: string) {
    const posts = new Map<string, { status: MastodonStatus; artifacts: RawArtifact[] }>();
    let minId = sinceId;
    let httpStatus = 200;
    for (let pages = 0; pages < this.maxPages; pages++) {
      const page = await this.readPage(account, origin, host, {
        min_id: minId,
        limit: String(MASTODON_PAGE_LIMIT),
      });
      httpStatus = page.httpStatus;
      if (page.statuses.length === 0) break;
      for (const status of page.statuses)
        if (!posts.has(status.id)) posts.set(status.id, { status, artifacts: page.artifacts });
      const next = page.prevMinId ?? newestId(page.statuses.map((s) => s.id));
      // a server that does not move forward would keep us here
      if (next === null || compareIds(next, minId) <= 0) break;
      minId = next;
    }
    return { posts: [...posts.values()], httpStatus };
  }

  /** The first backfill: newest first with max_id, following rel="next", up to backfillLimit posts. */
  private async readBack(account: ResolvedAccount, origin: string, host: string) {
    const posts = new Map<string, { status: MastodonStatus; artifacts: RawArtifact[] }>();
    let maxId: string | null = null;
    let httpStatus = 200;
    for (let pages = 0; pages < this.maxPages && posts.size < this.backfillLimit; pages++) {
      const limit = Math.min(MASTODON_PAGE_LIMIT, this.backfillLimit - posts.size);
      const query: Record<string, string> = { limit: String(limit) };
      if (maxId !== null) query.max_id = maxId;
      const page = await this.readPage(account, origin, host, query);
      httpStatus = page.httpStatus;
      for (const status of page.statuses) {
        if (posts.size >= this.backfillLimit) break;
        if (maxId !== null && compareIds(status.id, maxId) >= 0) continue;
        if (!posts.has(status.id)) posts.set(status.id, { status, artifacts: page.artifacts });
      }
      const next = page.nextMaxId;
      if (page.statuses.length === 0 || next === null || (maxId !== null && compareIds(next, maxId) >= 0))
        break;
      maxId = next;
    }
    return { posts: [...posts.values()], httpStatus };
  }

  private async readPage(
    account: ResolvedAccount,
    origin: string,
    host: string,
    query: Record<string, string>,
  ): Promise<Page> {
    const what = `Mastodon ${host} statuses of ${account.handle}`;
    const url = new URL(`/api/v1/accounts/${encodeURIComponent(account.externalId)}/statuses`, origin);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const response = await this.get(url);
    if (response.status === 404) {
      throw new SourceError(
        ErrorCode.SourceNotFound,
        `account ${account.handle} no longer exists on ${host}`,
        404,
      );
    }
    this.throwForStatus(response, what, host);
    const statuses = await this.parsing.readPage(response.body, what);
    for (const status of statuses) {
      if (status.account.id !== account.externalId) {
        throw invalid(what, `status ${status.id} belongs to account ${status.account.id}`);
      }
    }
    const links = parsePageLinks(response.headers['link']);
    return { statuses, artifacts: artifactsOf(response), httpStatus: response.status, ...links };
  }

  private get(url: URL): Promise<HttpResponse> {
    return this.http.request(url, { headers: { Accept: 'application/json' } });
  }

  private throwForStatus(response: HttpResponse, what: string, host: string): void {
    if (response.status === 401) {
      throw new SourceError(
        ErrorCode.SourceAuthRequired,
        `${host} requires authentication to read this account (limited federation)`,
        401,
      );
    }
    throwForStatus(response, what);
  }
}

function toResolvedAccount(account: MastodonAccount, origin: string, host: string): ResolvedAccount {
  return {
    platform: 'mastodon',
    handle: handleFor(account.acct, host),
    externalId: account.id,
    displayName: account.display_name || account.username,
    profileUrl: account.url,
    sourceUrl: origin,
  };
}

function artifactsOf(response: HttpResponse): RawArtifact[] {
  return responseArtifacts(response, 'response', 'application/json');
}

function originOf(sourceUrl: string): string {
  let url: URL;
  try {
    url = new URL(sourceUrl);
  } catch {
    throw new SourceError(ErrorCode.InvalidInput, `not a Mastodon instance URL: ${sourceUrl}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SourceError(ErrorCode.InvalidInput, `not a Mastodon instance URL: ${sourceUrl}`);
  }
  return url.origin;
}
