import { Logger } from '@nestjs/common';
import { z } from 'zod';
import {
  ARTIFACT_ROLES,
  ErrorCode,
  SourceError,
  VerbatimError,
  isLocalOverload,
  sha256Hex,
  sourceFailureMessage,
  statementLanguage,
} from '@app/core';
import {
  type Connector,
  type FetchedPost,
  type PollResult,
  type PostAnswer,
  type PostRef,
  type RawArtifact,
  type ResolvedAccount,
} from '../connector';
import { cursorReader } from '../cursor';
import { type FeedConnector } from '../feeds/feed-connector';
import { type GuardedHttpClient } from '../http/guarded-http-client';
import { type HttpResponse } from '../http/http-client';
import { responseArtifacts } from '../http/response-artifacts';
import { throwForStatus } from '../http/response-errors';
import { bodyKind } from './body-kind';
import { type PageParseOutput } from './page-parse-task';
import { inThreadPageParsing, type PageParsing } from './page-parsing';
import { normalizePageUrl, sameSite } from './web-urls';

/** Pages first, feeds next: one GET tells which the URL is. */
const ACCEPT =
  'text/html, application/xhtml+xml;q=0.9, application/rss+xml;q=0.8, application/atom+xml;q=0.8, application/xml;q=0.7, */*;q=0.5';
const PAGE_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5';

/** A web page's record format: bump when what a page is read into changes. */
export const WEB_PARSER_VERSION = 'web/1';
/** The role of a press-release list page's own bytes, kept with every release a poll of it found. */
export const LIST_PAGE_ROLE = 'list-page';
/** Default most releases one poll captures: the rest wait for the next poll. */
export const WEB_RELEASES_PER_POLL = 20;
/** Most release links read from one list page: a hostile page with 100,000 links costs this many. */
export const WEB_MAX_LIST_LINKS = 500;
const MAX_URL_LENGTH = 2048;
/**
 * A release that fails (5xx, timeouts) is asked again by later polls, after the releases never tried, and given
 * up like a 404 once it has failed this many polls AND for WEB_RELEASE_GIVE_UP_MS since its first failure: a few
 * broken releases neither take every poll's slots nor keep an unchanged list re-read forever, and a site down for
 * an afternoon loses nothing.
 */
export const WEB_RELEASE_ATTEMPTS = 5;
export const WEB_RELEASE_GIVE_UP_MS = 24 * 3600 * 1000;

/**
 * Where a list page's last poll stopped: the hash of the list's bytes (identical bytes, nothing to do), the
 * release URLs already captured that the list still shows (so the same URL is never fetched twice by a poll; a
 * release that changes later is found by rechecks, which re-read every captured page), and how many polls each
 * still-failing release has failed.
 */
const webCursor = z
  .object({
    bodySha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex')
      .optional(),
    seen: z.array(z.string().max(MAX_URL_LENGTH)).max(WEB_MAX_LIST_LINKS).optional(),
    failed: z
      .record(
        z.string().max(MAX_URL_LENGTH),
        z.object({ count: z.number().int().min(1).max(1_000_000), since: z.string().datetime() }).strict(),
      )
      .refine((failed) => Object.keys(failed).length <= WEB_MAX_LIST_LINKS, 'lists too many releases')
      .optional(),
  })
  .strict();
export type WebCursor = z.infer<typeof webCursor>;

export interface WebConnectorOptions {
  /** most new releases one poll captures (VERBATIM_WEB_RELEASES_PER_POLL) */
  releasesPerPoll?: number;
  /** where pages are parsed; default in this thread (servers pass worker threads with a deadline) */
  parsing?: PageParsing;
  /** the clock failing releases are given up by; default the system's */
  now?: () => Date;
}

/**
 * Any web page that is not a specific platform's: an article or press release captured on demand, or a
 * press-release list page tracked, whose new releases each poll captures. A fallback connector, asked before
 * the feed connector: it reads the URL once and hands a body that is a feed to the feed connector, so feeds
 * work exactly as before.
 *
 * A page's statement is keyed by its canonical URL (the page's `<link rel="canonical">` when it stays on
 * the same site, else the URL that answered), normalised: no fragment, no tracking parameters. Its content
 * is the main text, title, byline, published time and language: a change to any of them is a new version,
 * while markup, navigation or advertising changes around the main text are not.
 */
export class WebConnector implements Connector<WebCursor> {
  readonly platform = 'web' as const;
  readonly describes = 'a web page or press-release list page (https://example.gov/press)';
  readonly fallback = true;
  readonly readCursor = cursorReader('web', webCursor);

  private readonly releasesPerPoll: number;
  private readonly now: () => Date;
  private readonly logger = new Logger(WebConnector.name);
  private readonly parsing: PageParsing;

  constructor(
    private readonly http: GuardedHttpClient,
    private readonly feeds: FeedConnector,
    options: WebConnectorOptions = {},
  ) {
    this.releasesPerPoll = Math.max(1, options.releasesPerPoll ?? WEB_RELEASES_PER_POLL);
    this.now = options.now ?? (() => new Date());
    this.parsing = options.parsing ?? inThreadPageParsing();
  }

  canTrack(url: URL): boolean {
    return url.protocol === 'http:' || url.protocol === 'https:';
  }

  canCapture(url: URL): boolean {
    return this.canTrack(url);
  }

  /**
   * A URL to track: a feed is the feed connector's account; an HTML page that lists releases is a list page to
   * poll. A page that lists none is refused: its polls would find nothing to capture.
   */
  async resolve(url: URL): Promise<ResolvedAccount> {
    const response = await this.get(url.href);
    if (bodyKind(response.body, contentTypeOf(response)) !== 'page')
      return (await this.feeds.readFetched(url.href, response)).account;
    const page = await this.parse(response);
    const listUrl = normalizePageUrl(url);
    // polls capture only the releases a page lists: a page listing none (an article) would be polled forever
    // and archive nothing, without a word
    if (page.releaseLinks.length === 0)
      throw new VerbatimError(
        ErrorCode.UnsupportedUrl,
        `${listUrl} lists no releases (no repeated links to other pages of its site), so tracking it would ` +
          'archive nothing: track the list page that links it, or capture this page once (POST /api/v1/captures)',
      );
    return {
      platform: 'web',
      handle: listUrl,
      externalId: listUrl,
      displayName: page.title,
      profileUrl: listUrl,
      // one page, however it was asked for: its identity, as the feed's is (a redirect may add tags of its own)
      sourceUrl: normalizePageUrl(response.url || url.href),
    };
  }

  /**
   * Reads the list page; when its bytes changed, captures the releases it links that earlier polls did not
   * (at most `releasesPerPoll`, oldest-listed last: lists put the newest first, and what is left over is
   * taken by the next poll). Each release keeps the list page's bytes beside its own.
   */
  async poll(account: ResolvedAccount, cursor: WebCursor): Promise<PollResult<WebCursor>> {
    const response = await this.get(account.sourceUrl);
    const bodySha256 = sha256Hex(response.body);
    if (cursor.bodySha256 === bodySha256) return { kind: 'unchanged', httpStatus: response.status, cursor };
    if (bodyKind(response.body, contentTypeOf(response)) !== 'page') {
      throw new SourceError(
        ErrorCode.SourceInvalidResponse,
        `${account.sourceUrl} is no longer an HTML page (got ${contentTypeOf(response) ?? 'no content type'})`,
        response.status,
      );
    }
    const list = await this.parse(response);
    const listArtifacts = responseArtifacts(response, LIST_PAGE_ROLE, contentTypeOf(response) ?? 'text/html');
    const seen = new Set(cursor.seen ?? []);
    const failed = new Map(Object.entries(cursor.failed ?? {}));
    // releases never tried first, so a few that keep failing cannot hold back the new ones
    const fresh = list.releaseLinks
      .filter((link) => !seen.has(link))
      .sort((a, b) => (failed.get(a)?.count ?? 0) - (failed.get(b)?.count ?? 0));
    const posts: FetchedPost[] = [];
    const done = new Set<string>();
    const now = this.now();
    for (const link of fresh.slice(0, this.releasesPerPoll)) {
      let outcome: Awaited<ReturnType<WebConnector['readRelease']>>;
      try {
        outcome = await this.readRelease(account, link, listArtifacts);
      } catch (error) {
        // our own load: keep what this poll settled and leave the rest unseen for the next one (the list is not
        // done with, and no release counts as failing); with nothing settled, the whole poll is put off
        if (done.size > 0 && isLocalOverload(error)) break;
        throw error;
      }
      if (outcome === 'retry') {
        const before = failed.get(link);
        const failure = { count: (before?.count ?? 0) + 1, since: before?.since ?? now.toISOString() };
        const failingMs = now.getTime() - Date.parse(failure.since);
        if (failure.count < WEB_RELEASE_ATTEMPTS || failingMs < WEB_RELEASE_GIVE_UP_MS) {
          failed.set(link, failure);
          continue;
        }
        failed.delete(link); // given up: not asked again by polls
        this.logger.warn(
          `${account.sourceUrl}: release ${link} given up after failing ${failure.count} polls since ${failure.since}`,
        );
      }
      done.add(link);
      if (outcome !== 'dead' && outcome !== 'retry') posts.push(outcome);
    }
    const stillListed = list.releaseLinks.filter((link) => seen.has(link) || done.has(link));
    const stillFailing = fresh.filter((link) => failed.has(link) && link.length <= MAX_URL_LENGTH);
    const finished = fresh.every((link) => done.has(link));
    const next: WebCursor = {
      // the list is done with only when every release it shows was read: else the next poll goes on
      ...(finished ? { bodySha256 } : {}),
      seen: stillListed.filter((link) => link.length <= MAX_URL_LENGTH).slice(0, WEB_MAX_LIST_LINKS),
      ...(stillFailing.length > 0
        ? { failed: Object.fromEntries(stillFailing.map((link) => [link, failed.get(link)!])) }
        : {}),
    };
    return { kind: 'posts', httpStatus: response.status, posts, cursor: next };
  }

  /** Captures one page now: a feed URL is handed to the feed connector; a page is a statement of its site. */
  async capture(url: URL): Promise<{ account: ResolvedAccount; posts: FetchedPost[] }> {
    const response = await this.get(url.href);
    if (bodyKind(response.body, contentTypeOf(response)) !== 'page')
      return this.feeds.readFetched(url.href, response);
    const page = await this.parse(response);
    const site = siteAccount(new URL(response.url || url.href));
    return { account: site, posts: [postOf(site, response, page, [])] };
  }

  /**
   * Re-reads each page: 404 is not-found, 410 gone (each with the answer as evidence); a 2xx page is found
   * (the capture writer compares it with what we hold); anything else, or a failure, says nothing. After a
   * host failed to answer, its other pages are not asked this round.
   */
  async fetchMany(account: ResolvedAccount, refs: PostRef[]): Promise<PostAnswer[]> {
    const troubled = new Map<string, string>();
    const answers: PostAnswer[] = [];
    for (const ref of refs) answers.push(await this.reread(account, ref, troubled));
    return answers;
  }

  private async reread(
    account: ResolvedAccount,
    ref: PostRef,
    troubled: Map<string, string>,
  ): Promise<PostAnswer> {
    let url: URL;
    try {
      url = new URL(ref.url);
    } catch {
      return { kind: 'unknown', ref, detail: `not a URL: ${ref.url}` };
    }
    const trouble = troubled.get(url.host);
    if (trouble) return { kind: 'unknown', ref, detail: `not re-read after an earlier failure: ${trouble}` };
    let response: HttpResponse;
    try {
      response = await this.http.request(url, { headers: { accept: PAGE_ACCEPT } });
    } catch (error) {
      const message = sourceFailureMessage(error);
      troubled.set(url.host, message);
      return { kind: 'unknown', ref, detail: message };
    }
    const httpStatus = response.status;
    const evidence = () =>
      responseArtifacts(response, ARTIFACT_ROLES.page, contentTypeOf(response) ?? 'text/html');
    if (httpStatus === 404) return { kind: 'not-found', ref, httpStatus, evidence: evidence() };
    if (httpStatus === 410) return { kind: 'gone', ref, httpStatus, evidence: evidence() };
    if (httpStatus < 200 || httpStatus > 299) {
      if (httpStatus === 429) troubled.set(url.host, `${url.href}: HTTP 429 (rate limited)`);
      return { kind: 'unknown', ref, detail: `${url.href}: HTTP ${httpStatus}` };
    }
    try {
      const page = await this.parse(response);
      const post = postOf(account, response, page, []);
      // the statement keeps the identity it was captured under, even if the page now names another canonical URL
      post.content.postId = ref.postId;
      post.content.url = ref.url;
      return { kind: 'found', ref, post };
    } catch (error) {
      return { kind: 'unknown', ref, detail: sourceFailureMessage(error) };
    }
  }

  /** A release of a list: its post, `dead` (404/410: not a page, never asked again) or `retry` (next poll). */
  private async readRelease(
    account: ResolvedAccount,
    link: string,
    listArtifacts: RawArtifact[],
  ): Promise<FetchedPost | 'dead' | 'retry'> {
    let response: HttpResponse;
    try {
      response = await this.http.request(link, { headers: { accept: PAGE_ACCEPT } });
    } catch (error) {
      // a bug, not the site; or our own load, which the poll deals with
      if (isLocalOverload(error) || !(error instanceof SourceError)) throw error;
      return 'retry'; // unreachable now (timeout, reset): the next poll asks again
    }
    if (response.status === 404 || response.status === 410) return 'dead';
    if (response.status < 200 || response.status > 299) return 'retry';
    if (bodyKind(response.body, contentTypeOf(response)) !== 'page') return 'dead';
    try {
      return postOf(account, response, await this.parse(response), listArtifacts);
    } catch (error) {
      // a parse our own load starved says nothing of the page: it is not given up
      if (isLocalOverload(error) || !(error instanceof SourceError)) throw error;
      return 'dead'; // a page that cannot be read is not read again by later polls
    }
  }

  private async get(url: string): Promise<HttpResponse> {
    const response = await this.http.request(url, { headers: { accept: ACCEPT } });
    throwForStatus(response, `page ${url}`);
    return response;
  }

  private parse(response: HttpResponse): Promise<PageParseOutput> {
    return this.parsing.parse({
      bytes: response.body,
      contentType: contentTypeOf(response),
      url: response.url,
      maxLinks: WEB_MAX_LIST_LINKS,
    });
  }
}

/** The account of a page captured on its own: its site. */
function siteAccount(url: URL): ResolvedAccount {
  return {
    platform: 'web',
    handle: url.host,
    externalId: url.origin,
    displayName: url.host,
    profileUrl: `${url.origin}/`,
    sourceUrl: `${url.origin}/`,
  };
}

function postOf(
  account: ResolvedAccount,
  response: HttpResponse,
  page: PageParseOutput,
  extraArtifacts: RawArtifact[],
): FetchedPost {
  const answered = new URL(response.url);
  const canonical = page.canonical ? safeUrl(page.canonical) : null;
  const identity = normalizePageUrl(canonical && sameSite(canonical, answered) ? canonical : answered);
  const text = page.text;
  return {
    content: {
      platform: 'web',
      account: account.handle,
      postId: identity,
      url: identity,
      authoredAt: timestampOf(page.publishedTime),
      editedAt: null,
      title: page.title,
      text,
      html: null,
      language: statementLanguage(page.lang, text),
      media: [],
      isReply: false,
      isRepost: false,
      isQuote: false,
      parserVersion: WEB_PARSER_VERSION,
      ...(page.byline ? { byline: page.byline } : {}),
    },
    artifacts: [
      ...responseArtifacts(response, ARTIFACT_ROLES.page, contentTypeOf(response) ?? 'text/html'),
      ...extraArtifacts,
    ],
    evidenceLevel: 'captured',
  };
}

/** A published time as an ISO timestamp, or null when it is not a date a clock can hold. */
function timestampOf(value: string | null): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function safeUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

function contentTypeOf(response: HttpResponse): string | null {
  return response.headers['content-type'] || null;
}
