import { z } from 'zod';
import { ARTIFACT_ROLES, ErrorCode, SourceError, sha256Hex, sourceFailureMessage } from '@app/core';
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
import { type GuardedHttpClient } from '../http/guarded-http-client';
import { type HttpResponse } from '../http/http-client';
import { responseArtifacts } from '../http/response-artifacts';
import { throwForStatus } from '../http/response-errors';
import { normalizePageUrl } from '../web/web-urls';
import { type FeedParseOutput } from './feed-parse-task';
import { inThreadFeedParsing, type FeedParsing } from './feed-parsing';
import { NOT_A_FEED } from './xml-text';

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5';

/** Conditional-GET validators of the last 200, and the hash of its body for servers that ignore them. */
const feedCursor = z
  .object({
    etag: z.string().max(1024).optional(),
    lastModified: z.string().max(256).optional(),
    bodySha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex')
      .optional(),
  })
  .strict();
export type FeedCursor = z.infer<typeof feedCursor>;

interface FetchedFeed {
  response: HttpResponse;
  feed: FeedParseOutput;
}

/** What a web page is asked for when an item's link is re-read. */
const PAGE_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5';

/** Most item links one `fetchMany` re-reads: a feed that dropped many items must not make us fan out. */
export const FEED_MAX_LINK_CHECKS = 50;

export interface FeedConnectorOptions {
  /** most item links one `fetchMany` re-reads; the rest are answered `unknown`. Default FEED_MAX_LINK_CHECKS. */
  maxLinkChecks?: number;
  /** where bodies are parsed; default in this thread (servers pass worker threads with a deadline) */
  parsing?: FeedParsing;
}

/** The feed as a re-check saw it. */
type FeedReread =
  | { kind: 'read'; posts: Map<string, FetchedPost> }
  /** the feed itself is gone (404, 410): its items can still be looked for at their links */
  | { kind: 'missing'; httpStatus: number }
  /** nothing was learned (timeout, 429, 5xx, not a feed): every ref is unknown */
  | { kind: 'unreadable'; detail: string };

/** State of one `fetchMany`: how many links were re-read, which hosts failed and are left alone. */
interface LinkChecks {
  done: number;
  troubledHosts: Map<string, string>;
}

/**
 * RSS 2.0 / RSS 1.0 / Atom feeds of official sites. A fallback connector: any http(s) URL may be a feed, so
 * the registry asks it only after every platform-specific connector declined. A feed has no single-post URL:
 * capturing a feed URL captures all of its current items (`fetchAll`).
 */
export class FeedConnector implements Connector<FeedCursor> {
  readonly platform = 'feed' as const;
  readonly describes = 'an RSS or Atom feed URL (https://example.gov/news/rss.xml)';
  readonly fallback = true;
  readonly readCursor = cursorReader('feed', feedCursor);

  private readonly maxLinkChecks: number;
  private readonly parsing: FeedParsing;

  constructor(
    private readonly http: GuardedHttpClient,
    options: FeedConnectorOptions = {},
  ) {
    this.maxLinkChecks = Math.max(0, options.maxLinkChecks ?? FEED_MAX_LINK_CHECKS);
    this.parsing = options.parsing ?? inThreadFeedParsing();
  }

  canTrack(url: URL): boolean {
    return url.protocol === 'http:' || url.protocol === 'https:';
  }

  canCapture(url: URL): boolean {
    return this.canTrack(url);
  }

  async resolve(url: URL): Promise<ResolvedAccount> {
    const feedUrl = normalizePageUrl(url);
    const { response, feed } = await this.fetchFeed(feedUrl, {});
    return accountOf(feedUrl, response, feed);
  }

  async poll(account: ResolvedAccount, cursor: FeedCursor): Promise<PollResult<FeedCursor>> {
    const headers: Record<string, string> = {};
    if (cursor.etag) headers['if-none-match'] = cursor.etag;
    if (cursor.lastModified) headers['if-modified-since'] = cursor.lastModified;
    const response = await this.get(account.sourceUrl, headers);
    if (response.status === 304) {
      return { kind: 'unchanged', httpStatus: 304, cursor: { ...cursor, ...validatorsOf(response, cursor) } };
    }
    const bodySha256 = sha256Hex(response.body);
    // a 200 replaces the validators: keeping a stale ETag would make the next conditional request lie
    const next: FeedCursor = { ...validatorsOf(response, {}), bodySha256 };
    // many government servers ignore conditional requests: identical bytes mean nothing changed
    if (cursor.bodySha256 === bodySha256)
      return { kind: 'unchanged', httpStatus: response.status, cursor: next };
    const feed = await this.parse(account.sourceUrl, response, account.handle);
    return {
      kind: 'posts',
      httpStatus: response.status,
      posts: postsOf(response, feed),
      cursor: next,
    };
  }

  /** Captures a feed URL: the feed as an account and every item it currently shows, from one GET. */
  capture(url: URL): Promise<{ account: ResolvedAccount; posts: FetchedPost[] }> {
    return this.fetchAll(url);
  }

  /**
   * Re-reads the feed once: a ref whose item is in it is `found`. A ref that left the feed is looked for at its
   * link, since a feed shows only its latest items: only the page's own 404 or 410 says the post went away.
   */
  async fetchMany(account: ResolvedAccount, refs: PostRef[]): Promise<PostAnswer[]> {
    const reread = await this.reread(account);
    if (reread.kind === 'unreadable') return refs.map((ref) => unknown(ref, reread.detail));
    const checks: LinkChecks = { done: 0, troubledHosts: new Map() };
    const answers: PostAnswer[] = [];
    for (const ref of refs) {
      const post = reread.kind === 'read' ? reread.posts.get(ref.postId) : undefined;
      answers.push(post ? { kind: 'found', ref, post } : await this.checkLink(account, ref, checks));
    }
    return answers;
  }

  /** Same as `capture`. */
  async fetchAll(url: URL): Promise<{ account: ResolvedAccount; posts: FetchedPost[] }> {
    const feedUrl = normalizePageUrl(url);
    const { response, feed } = await this.fetchFeed(feedUrl, {});
    return { account: accountOf(feedUrl, response, feed), posts: postsOf(response, feed) };
  }

  /**
   * A feed another connector already fetched (the web connector, which reads a URL once and then knows
   * whether it is a feed or a page): the feed as an account and its items, as `fetchAll` would give them.
   */
  async readFetched(
    url: string,
    response: HttpResponse,
  ): Promise<{ account: ResolvedAccount; posts: FetchedPost[] }> {
    const feedUrl = normalizePageUrl(url);
    const feed = await this.parse(feedUrl, response, feedUrl);
    return { account: accountOf(feedUrl, response, feed), posts: postsOf(response, feed) };
  }

  /** One plain GET of the feed: no validators, since a 304 would not show which items it holds. */
  private async reread(account: ResolvedAccount): Promise<FeedReread> {
    const what = `feed ${account.sourceUrl}`;
    let response: HttpResponse;
    try {
      response = await this.http.request(account.sourceUrl, { headers: { accept: ACCEPT } });
    } catch (error) {
      return { kind: 'unreadable', detail: sourceFailureMessage(error) };
    }
    if (response.status === 404 || response.status === 410)
      return { kind: 'missing', httpStatus: response.status };
    if (response.status < 200 || response.status > 299) {
      return { kind: 'unreadable', detail: `${what}: HTTP ${response.status}` };
    }
    try {
      const feed = await this.parse(account.sourceUrl, response, account.handle);
      return { kind: 'read', posts: postsById(postsOf(response, feed)) };
    } catch (error) {
      return { kind: 'unreadable', detail: sourceFailureMessage(error) };
    }
  }

  /** Re-reads the page of an item that is no longer in the feed. */
  private async checkLink(account: ResolvedAccount, ref: PostRef, checks: LinkChecks): Promise<PostAnswer> {
    const url = pageUrlOf(account, ref);
    if (typeof url === 'string') return unknown(ref, url);
    const trouble = checks.troubledHosts.get(url.host);
    if (trouble)
      return unknown(ref, `no longer in the feed; not re-read after an earlier failure: ${trouble}`);
    if (checks.done >= this.maxLinkChecks) {
      return unknown(
        ref,
        `no longer in the feed; its page was not re-read (at most ${this.maxLinkChecks} per re-check)`,
      );
    }
    checks.done += 1;
    let response: HttpResponse;
    try {
      response = await this.http.request(url, { headers: { accept: PAGE_ACCEPT } });
    } catch (error) {
      const message = sourceFailureMessage(error);
      checks.troubledHosts.set(url.host, message);
      return unknown(ref, `no longer in the feed; its page could not be read: ${message}`);
    }
    if (response.status === 429) checks.troubledHosts.set(url.host, `${url.href}: HTTP 429 (rate limited)`);
    return answerFromPage(ref, response);
  }

  private async fetchFeed(url: string, headers: Record<string, string>): Promise<FetchedFeed> {
    const response = await this.get(url, headers);
    // the items are statements of the feed as tracked: its handle is the URL asked for
    return { response, feed: await this.parse(url, response, url) };
  }

  private async get(url: string, headers: Record<string, string>): Promise<HttpResponse> {
    const response = await this.http.request(url, { headers: { accept: ACCEPT, ...headers } });
    throwForStatus(response, `feed ${url}`);
    return response;
  }

  private async parse(url: string, response: HttpResponse, handle: string): Promise<FeedParseOutput> {
    const contentType = response.headers['content-type'] ?? null;
    try {
      // relative links resolve against the URL that answered, after redirects
      return await this.parsing.parse({
        bytes: response.body,
        baseUrl: response.url || url,
        contentType,
        handle,
      });
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

/**
 * The feed as an account. `feedUrl` is already normalised (normalizePageUrl): a fragment or utm_* tag names the
 * same feed, and handle, externalId and sourceUrl are the account's identity, so one feed is tracked once.
 */
function accountOf(feedUrl: string, response: HttpResponse, feed: FeedParseOutput): ResolvedAccount {
  return {
    platform: 'feed',
    handle: feedUrl,
    externalId: feedUrl,
    displayName: feed.title,
    profileUrl: feed.link ?? feedUrl,
    // a redirect may add a fragment or tracking tags of its own
    sourceUrl: normalizePageUrl(response.url || feedUrl),
  };
}

function postsOf(response: HttpResponse, feed: FeedParseOutput): FetchedPost[] {
  // the same artifacts for every item: each was read from these exact bytes
  const artifacts: RawArtifact[] = responseArtifacts(
    response,
    ARTIFACT_ROLES.feed,
    response.headers['content-type'] || 'application/xml',
  );
  return feed.contents.map((content) => ({
    content,
    artifacts,
    evidenceLevel: 'captured',
  }));
}

/** What an item's page said about it: only its own 404 or 410 is evidence that the post went away. */
function answerFromPage(ref: PostRef, response: HttpResponse): PostAnswer {
  const httpStatus = response.status;
  if (httpStatus === 404) return { kind: 'not-found', ref, httpStatus, evidence: pageArtifacts(response) };
  if (httpStatus === 410) return { kind: 'gone', ref, httpStatus, evidence: pageArtifacts(response) };
  // a feed shows a moving window of recent items: leaving it is not deletion
  if (httpStatus >= 200 && httpStatus <= 299)
    return unknown(ref, `no longer in the feed, but its page still answers (HTTP ${httpStatus})`);
  return unknown(ref, `no longer in the feed; its page answered HTTP ${httpStatus}`);
}

/** The page to re-read for a ref, or why there is none. */
function pageUrlOf(account: ResolvedAccount, ref: PostRef): URL | string {
  let url: URL;
  try {
    url = new URL(ref.url);
  } catch {
    return `no longer in the feed, and its link is not a URL: ${ref.url}`;
  }
  // an item without a link has the feed's URL as its url (feedItemToContent): the feed answering proves nothing
  if (url.href === account.handle || url.href === account.sourceUrl)
    return 'no longer in the feed, and it has no page of its own';
  return url;
}

function pageArtifacts(response: HttpResponse): RawArtifact[] {
  return responseArtifacts(
    response,
    ARTIFACT_ROLES.page,
    response.headers['content-type'] || 'application/octet-stream',
  );
}

/** The posts of a feed by item identity; an id repeated in the feed keeps its first item. */
function postsById(posts: FetchedPost[]): Map<string, FetchedPost> {
  const byId = new Map<string, FetchedPost>();
  for (const post of posts) if (!byId.has(post.content.postId)) byId.set(post.content.postId, post);
  return byId;
}

function unknown(ref: PostRef, detail: string): PostAnswer {
  return { kind: 'unknown', ref, detail };
}

function validatorsOf(
  response: HttpResponse,
  fallback: FeedCursor,
): Pick<FeedCursor, 'etag' | 'lastModified'> {
  // a validator too long to be real would make the stored cursor invalid: go without it
  const etag = usable(response.headers['etag'], 1024) ?? fallback.etag;
  const lastModified = usable(response.headers['last-modified'], 256) ?? fallback.lastModified;
  return { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
}

function usable(value: string | undefined, maxLength: number): string | undefined {
  return value && value.length <= maxLength ? value : undefined;
}
