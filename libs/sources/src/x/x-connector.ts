import { z } from 'zod';
import { ErrorCode, SourceError, VerbatimError } from '@app/core';
import {
  type Connector,
  type FetchedPost,
  type PollResult,
  type PostAnswer,
  type PostRef,
  type ReadMeter,
  type ResolvedAccount,
} from '../connector';
import { cursorReader } from '../cursor';
import { type GuardedHttpClient } from '../http';
import { type JsonParsing, inThreadJsonParsing } from '../json-parsing';
import { TWEET_QUERY, XApi, apiArtifacts } from './x-api';
import { XEmbed } from './x-embed';
import { accountOf } from './x-embed-entities';
import { classifyError, errorText, invalid } from './x-entities';
import { X_ID } from './x-ids';
import { XRecheck } from './x-recheck';
import { readTimeline } from './x-timeline';
import { tweetToContent } from './x-tweet';
import { isXHost, parseXAccountUrl, parseXPostUrl } from './x-urls';

export interface XConnectorOptions {
  /** the v2 API, default https://api.x.com */
  apiBaseUrl: string;
  /** app-only Bearer token; null: accounts cannot be tracked, single posts come from the embed endpoints */
  bearerToken: string | null;
  syndicationBaseUrl: string;
  oembedBaseUrl: string;
  /** reads (posts and users returned) one account may use per calendar month */
  monthlyReadBudget: number;
  /** posts the first poll of an account reads back; default 200 */
  backfillLimit?: number;
  /** most pages one poll may read; default 10 */
  maxPages?: number;
  /** most embed lookups one token-less re-check may make; default 50 */
  maxEmbedLookups?: number;
  /** where bodies are read: big ones on a worker thread in a running server; default in this thread */
  parsing?: JsonParsing;
}

/** Where the last poll stopped: the newest post id seen (an edit's id is newer than its original's). */
const xCursor = z.object({ sinceId: z.string().regex(X_ID, 'must be an X post id').optional() }).strict();
export type XCursor = z.infer<typeof xCursor>;

export const X_TOKEN_NEEDED =
  'tracking an X account needs an X API token: set VERBATIM_X_BEARER_TOKEN (the X API is paid per read). ' +
  'Without one, single posts can still be captured through the public embed endpoints: POST /api/v1/captures ' +
  'with https://x.com/<user>/status/<id>';

/**
 * X (Twitter). With a Bearer token: accounts resolved, polled and re-read through the v2 API, every read
 * counted against a monthly budget. Without one: single posts through the public embed endpoints.
 */
export class XConnector implements Connector<XCursor> {
  readonly platform = 'x' as const;
  readonly describes = 'an X profile URL (https://x.com/user) or post URL (https://x.com/user/status/123)';
  readonly monthlyReadBudget: number;
  private readonly api: XApi | null;
  private readonly embed: XEmbed;
  private readonly parsing: JsonParsing;

  constructor(
    http: Pick<GuardedHttpClient, 'request'>,
    private readonly options: XConnectorOptions,
  ) {
    this.monthlyReadBudget = options.monthlyReadBudget;
    this.parsing = options.parsing ?? inThreadJsonParsing();
    this.api = options.bearerToken ? new XApi(http, options.apiBaseUrl, options.bearerToken) : null;
    this.embed = new XEmbed(http, {
      syndicationBaseUrl: options.syndicationBaseUrl,
      oembedBaseUrl: options.oembedBaseUrl,
      apiBaseUrl: options.apiBaseUrl,
      parsing: this.parsing,
    });
  }

  readonly readCursor = cursorReader('X', xCursor);

  canTrack(url: URL): boolean {
    return parseXAccountUrl(url) !== null;
  }

  canCapture(url: URL): boolean {
    return parseXPostUrl(url) !== null;
  }

  ownsHost(url: URL): boolean {
    return isXHost(url);
  }

  async resolve(url: URL): Promise<ResolvedAccount> {
    const ref = parseXAccountUrl(url);
    if (!ref) throw new SourceError(ErrorCode.UnsupportedUrl, `not ${this.describes}: ${url.href}`);
    const api = this.requireApi();
    const what = `X user @${ref.username}`;
    const response = await api.get(`/2/users/by/username/${encodeURIComponent(ref.username)}`, {});
    api.throwForStatus(response, what);
    const body = await this.parsing.read(response.body, 'x-user', what);
    if (!body.data) {
      const error = body.errors?.[0];
      if (!error) throw invalid(what, 'neither data nor errors');
      const kind = classifyError(error);
      if (kind === 'not-found')
        throw new SourceError(ErrorCode.SourceNotFound, `no X account @${ref.username}`, 200);
      if (kind === 'suspended')
        throw new SourceError(ErrorCode.SourceGone, `X account @${ref.username} is suspended`, 200);
      throw new SourceError(ErrorCode.SourceAuthRequired, `${what}: ${errorText(error)}`, 200);
    }
    return accountOf(body.data, this.options.apiBaseUrl);
  }

  async poll(account: ResolvedAccount, cursor: XCursor, meter?: ReadMeter): Promise<PollResult<XCursor>> {
    const api = this.requireApi();
    const read = await readTimeline(api, account, {
      sinceId: cursor.sinceId,
      backfillLimit: Math.max(1, this.options.backfillLimit ?? 200),
      maxPages: Math.max(1, this.options.maxPages ?? 10),
      meter,
      parsing: this.parsing,
    });
    const next: XCursor = read.newestId ? { ...cursor, sinceId: read.newestId } : { ...cursor };
    if (read.posts.length === 0) return { kind: 'unchanged', httpStatus: read.httpStatus, cursor: next };
    return { kind: 'posts', httpStatus: read.httpStatus, posts: read.posts, cursor: next };
  }

  /** One post: through the API with a token (one read), else through the public embed endpoints. */
  async capture(url: URL, meter?: ReadMeter): Promise<{ account: ResolvedAccount; posts: FetchedPost[] }> {
    const ref = parseXPostUrl(url);
    if (!ref)
      throw new SourceError(
        ErrorCode.UnsupportedUrl,
        `not an X post URL (https://x.com/user/status/123): ${url.href}`,
      );
    if (!this.api) return this.embed.capture(ref.username, ref.postId);
    const what = `X post ${ref.postId}`;
    const response = await this.api.get(`/2/tweets/${ref.postId}`, {
      ...TWEET_QUERY,
      expansions: `${TWEET_QUERY.expansions},author_id`,
      'user.fields': 'username,name',
    });
    if (response.status === 404)
      throw new SourceError(ErrorCode.SourceNotFound, `no X post ${ref.postId}`, 404);
    this.api.throwForStatus(response, what);
    const body = await this.parsing.read(response.body, 'x-post', what);
    meter?.add(body.data ? 1 : 0);
    if (!body.data) {
      const error = body.errors?.[0];
      const kind = error ? classifyError(error) : 'other';
      if (kind === 'not-found')
        throw new SourceError(ErrorCode.SourceNotFound, `no X post ${ref.postId}`, 200);
      throw new SourceError(
        ErrorCode.SourceAuthRequired,
        `${what}: ${error ? errorText(error) : 'not returned'}`,
        200,
      );
    }
    const author = body.includes?.users?.find((u) => u.id === body.data?.author_id);
    if (!author) throw invalid(what, 'the author was not included');
    const account = accountOf(author, this.options.apiBaseUrl);
    const content = tweetToContent(body.data, body.includes, author.username);
    return { account, posts: [{ content, artifacts: apiArtifacts(response), evidenceLevel: 'captured' }] };
  }

  fetchMany(account: ResolvedAccount, refs: PostRef[], meter?: ReadMeter): Promise<PostAnswer[]> {
    if (!this.api) return this.embed.fetchMany(refs, this.options.maxEmbedLookups ?? 50);
    return new XRecheck(this.api, account, this.parsing, meter).run(refs);
  }

  private requireApi(): XApi {
    // an InvalidInput (400), not a source failure: the installation must be configured for it
    if (!this.api) throw new VerbatimError(ErrorCode.InvalidInput, X_TOKEN_NEEDED);
    return this.api;
  }
}
