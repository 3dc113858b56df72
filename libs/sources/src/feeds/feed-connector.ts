import { ErrorCode, SourceError, sha256Hex } from '@app/core';
import {
  type Connector,
  type FetchedPost,
  type PollCursor,
  type PollResult,
  type RawArtifact,
  type ResolvedAccount,
} from '../connector';
import { type GuardedHttpClient } from '../http/guarded-http-client';
import { type HttpResponse } from '../http/http-client';
import { throwForStatus } from '../http/response-errors';
import { feedItemToContent, type ParsedFeed } from './feed-items';
import { parseFeed } from './feed-parser';
import { NOT_A_FEED } from './xml-text';

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5';

interface FetchedFeed {
  response: HttpResponse;
  feed: ParsedFeed;
}

/**
 * RSS 2.0 / RSS 1.0 / Atom feeds of official sites. The fallback connector: it accepts any http(s) URL, so the
 * registry must ask the platform-specific connectors first. A feed has no single-post URL: capturing a feed URL
 * captures all of its current items (`fetchAll`).
 */
export class FeedConnector implements Connector {
  readonly platform = 'feed' as const;
  readonly describes = 'an RSS or Atom feed URL (https://example.gov/news/rss.xml)';

  constructor(private readonly http: GuardedHttpClient) {}

  canTrack(url: URL): boolean {
    return url.protocol === 'http:' || url.protocol === 'https:';
  }

  canCapture(url: URL): boolean {
    return this.canTrack(url);
  }

  async resolve(url: URL): Promise<ResolvedAccount> {
    const { response, feed } = await this.fetchFeed(url.href, {});
    return accountOf(url.href, response, feed);
  }

  async poll(account: ResolvedAccount, cursor: PollCursor): Promise<PollResult> {
    const headers: Record<string, string> = {};
    if (cursor.etag) headers['if-none-match'] = cursor.etag;
    if (cursor.lastModified) headers['if-modified-since'] = cursor.lastModified;
    const response = await this.get(account.sourceUrl, headers);
    if (response.status === 304) {
      return { kind: 'unchanged', httpStatus: 304, cursor: { ...cursor, ...validatorsOf(response, cursor) } };
    }
    const bodySha256 = sha256Hex(response.body);
    // a 200 replaces the validators: keeping a stale ETag would make the next conditional request lie
    const next: PollCursor = { ...validatorsOf(response, {}), bodySha256 };
    // many government servers ignore conditional requests: identical bytes mean nothing changed
    if (cursor.bodySha256 === bodySha256)
      return { kind: 'unchanged', httpStatus: response.status, cursor: next };
    const feed = this.parse(account.sourceUrl, response);
    return {
      kind: 'posts',
      httpStatus: response.status,
      posts: postsOf(account, response, feed),
      cursor: next,
    };
  }

  /** A feed URL is not one post: see `fetchAll`. */
  fetchPost(url: URL): Promise<{ account: ResolvedAccount; post: FetchedPost }> {
    return Promise.reject(
      new SourceError(
        ErrorCode.UnsupportedUrl,
        `${url.href}: a feed URL captures all its items: track it or use fetchAll (capture)`,
      ),
    );
  }

  /** Captures a feed URL: the feed as an account and every item it currently shows, from one GET. */
  capture(url: URL): Promise<{ account: ResolvedAccount; posts: FetchedPost[] }> {
    return this.fetchAll(url);
  }

  /** Same as `capture`. */
  async fetchAll(url: URL): Promise<{ account: ResolvedAccount; posts: FetchedPost[] }> {
    const { response, feed } = await this.fetchFeed(url.href, {});
    const account = accountOf(url.href, response, feed);
    return { account, posts: postsOf(account, response, feed) };
  }

  private async fetchFeed(url: string, headers: Record<string, string>): Promise<FetchedFeed> {
    const response = await this.get(url, headers);
    return { response, feed: this.parse(url, response) };
  }

  private async get(url: string, headers: Record<string, string>): Promise<HttpResponse> {
    const response = await this.http.request(url, { headers: { accept: ACCEPT, ...headers } });
    throwForStatus(response, `feed ${url}`);
    return response;
  }

  private parse(url: string, response: HttpResponse): ParsedFeed {
    const contentType = response.headers['content-type'] ?? null;
    try {
      // relative links resolve against the URL that answered, after redirects
      return parseFeed(response.body, response.url || url, { contentType });
    } catch (error) {
      if (!(error instanceof SourceError) || !error.message.startsWith(NOT_A_FEED)) throw error;
      const reason = error.message.slice(`${NOT_A_FEED}: `.length);
      throw new SourceError(
        ErrorCode.SourceInvalidResponse,
        `${url} did not return an RSS or Atom feed (got ${contentType ?? 'no content type'}): ${reason}`,
        response.status,
      );
    }
  }
}

function accountOf(requestedUrl: string, response: HttpResponse, feed: ParsedFeed): ResolvedAccount {
  return {
    platform: 'feed',
    handle: requestedUrl,
    externalId: requestedUrl,
    displayName: feed.title,
    profileUrl: feed.link ?? requestedUrl,
    sourceUrl: response.url || requestedUrl,
  };
}

function postsOf(account: ResolvedAccount, response: HttpResponse, feed: ParsedFeed): FetchedPost[] {
  // one artifact for the whole document: every item was read from these exact bytes
  const artifact: RawArtifact = {
    role: 'feed',
    mediaType: response.headers['content-type'] ?? 'application/xml',
    bytes: response.body,
  };
  return feed.items.map((item) => ({
    content: feedItemToContent(item, account.handle),
    artifacts: [artifact],
  }));
}

function validatorsOf(
  response: HttpResponse,
  fallback: PollCursor,
): Pick<PollCursor, 'etag' | 'lastModified'> {
  const etag = response.headers['etag'] ?? fallback.etag;
  const lastModified = response.headers['last-modified'] ?? fallback.lastModified;
  return { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
}
