import { syndicationToken } from '@app/sources/x/x-syndication-token';
import { type Json } from '../mastodon/mastodon-json';
import {
  fieldSelection,
  invalidRequest,
  problem,
  renderIncludes,
  renderTweet,
  renderUser,
  resourceError,
} from './x-api-json';
import { renderOembed, renderSyndicationTweet, tombstone } from './x-embed-json';
import { type XPlatformView, type XTweetRecord, compareXIds, isLatestVersion } from './x-records';

export interface XAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface XRouterOptions {
  /** the app-only Bearer token `/2/` routes require */
  bearerToken: string;
  /**
   * How a single lookup (`GET /2/tweets/:id`) answers for a post it cannot find: `404` as the current docs say,
   * or `200-errors` (a 200 with an `errors[]` body) as the API used to.
   */
  singleLookupMissing?: '404' | '200-errors';
  now?: () => number;
}

const ID = /^[0-9]{1,19}$/;
const USERNAME = /^[A-Za-z0-9_]{1,15}$/;
/** The rate-limit window of the v2 endpoints: 15 minutes. */
const WINDOW_S = 900;

/**
 * Answers one request the way X's three public surfaces do: the v2 API (`/2/…`, Bearer token), the
 * syndication CDN (`/tweet-result`) and oEmbed (`/oembed`). Pure: the records come from `view`.
 */
export function routeXRequest(
  view: XPlatformView,
  method: string,
  url: URL,
  authorization: string | undefined,
  options: XRouterOptions,
): XAnswer {
  const now = options.now?.() ?? Date.now();
  if (method !== 'GET') return json(405, problem(404, 'Not Found'));
  if (url.pathname === '/tweet-result') return syndication(view, url.searchParams);
  if (url.pathname === '/oembed') return oembed(view, url.searchParams);
  if (!url.pathname.startsWith('/2/')) return json(404, problem(404, 'Not Found'));
  if (authorization !== `Bearer ${options.bearerToken}`) return api(401, problem(401, 'Unauthorized'), now);
  return apiRoute(view, url, options, now);
}

function apiRoute(view: XPlatformView, url: URL, options: XRouterOptions, now: number): XAnswer {
  const query = url.searchParams;
  let match = /^\/2\/users\/by\/username\/([^/]+)$/.exec(url.pathname);
  if (match) {
    const username = decodeURIComponent(match[1]);
    if (!USERNAME.test(username))
      return api(
        400,
        invalidRequest(
          'username',
          username,
          `The \`username\` query parameter value [${username}] does not match ^[A-Za-z0-9_]{1,15}$`,
        ),
        now,
      );
    const user = view.userByUsername(username);
    const resource = { type: 'user' as const, parameter: 'username', value: username };
    if (!user) return api(200, { errors: [resourceError('not-found', resource)] }, now);
    if (user.suspended) return api(200, { errors: [resourceError('suspended', resource)] }, now);
    return api(200, { data: renderUser(user) }, now);
  }
  match = /^\/2\/users\/([^/]+)\/tweets$/.exec(url.pathname);
  if (match) return timeline(view, match[1], query, now);
  if (url.pathname === '/2/tweets') return lookup(view, query, now);
  match = /^\/2\/tweets\/([^/]+)$/.exec(url.pathname);
  if (match) return singleLookup(view, match[1], query, options, now);
  return api(404, problem(404, 'Not Found'), now);
}

/** `GET /2/users/:id/tweets`: the latest version of each post, newest first, paged by `pagination_token`. */
function timeline(view: XPlatformView, userId: string, query: URLSearchParams, now: number): XAnswer {
  const resource = { type: 'user' as const, parameter: 'id', value: userId };
  if (!ID.test(userId))
    return api(
      400,
      invalidRequest('id', userId, `The \`id\` query parameter value [${userId}] is not valid`),
      now,
    );
  const user = view.userById(userId);
  if (!user) return api(200, { errors: [resourceError('not-found', resource)] }, now);
  if (user.suspended) return api(200, { errors: [resourceError('suspended', resource)] }, now);
  if (user.protected) return api(200, { errors: [resourceError('not-authorized', resource)] }, now);
  const max = Number(query.get('max_results') ?? '10');
  if (!Number.isInteger(max) || max < 5 || max > 100)
    return api(
      400,
      invalidRequest(
        'max_results',
        String(query.get('max_results')),
        'The `max_results` query parameter value is not between 5 and 100',
      ),
      now,
    );
  let list = view
    .tweetsOf(userId)
    .filter((t) => !t.deleted && isLatestVersion(t))
    .sort((a, b) => compareXIds(b.id, a.id));
  for (const [name, keep] of [
    ['since_id', (t: XTweetRecord, id: string) => compareXIds(t.id, id) > 0],
    ['until_id', (t: XTweetRecord, id: string) => compareXIds(t.id, id) < 0],
  ] as const) {
    const id = query.get(name);
    if (id !== null && !ID.test(id))
      return api(
        400,
        invalidRequest(name, id, `The \`${name}\` query parameter value [${id}] is not valid`),
        now,
      );
    if (id !== null) list = list.filter((t) => keep(t, id));
  }
  const token = query.get('pagination_token');
  if (token !== null) {
    const below = decodePageToken(token);
    if (below === null)
      return api(
        400,
        invalidRequest(
          'pagination_token',
          token,
          'The `pagination_token` query parameter value is not valid',
        ),
        now,
      );
    list = list.filter((t) => compareXIds(t.id, below) < 0);
  }
  const page = list.slice(0, max);
  if (page.length === 0) return api(200, { meta: { result_count: 0 } }, now);
  const fields = fieldSelection(query);
  const body: { [key: string]: Json } = { data: page.map((t) => renderTweet(t, fields, view)) };
  const includes = renderIncludes(page, fields, view);
  if (includes) body.includes = includes;
  const meta: { [key: string]: Json } = {
    result_count: page.length,
    newest_id: page[0].id,
    oldest_id: page[page.length - 1].id,
  };
  if (list.length > max) meta.next_token = encodePageToken(page[page.length - 1].id);
  body.meta = meta;
  return api(200, body, now);
}

/** `GET /2/tweets?ids=`: up to 100 posts; each one it cannot return is an `errors[]` entry in a 200. */
function lookup(view: XPlatformView, query: URLSearchParams, now: number): XAnswer {
  const raw = query.get('ids') ?? '';
  const ids = raw.split(',');
  const bad = ids.find((id) => !ID.test(id));
  if (bad !== undefined || ids.length > 100)
    return api(
      400,
      invalidRequest('ids', raw, `The \`ids\` query parameter value [${bad ?? raw}] is not valid`),
      now,
    );
  const found: XTweetRecord[] = [];
  const errors: Json[] = [];
  for (const id of ids) {
    const answer = lookUpOne(view, id, 'ids');
    if ('tweet' in answer) found.push(answer.tweet);
    else errors.push(answer.error);
  }
  const fields = fieldSelection(query);
  const body: { [key: string]: Json } = {};
  if (found.length > 0) body.data = found.map((t) => renderTweet(t, fields, view));
  const includes = renderIncludes(found, fields, view);
  if (includes) body.includes = includes;
  if (errors.length > 0) body.errors = errors;
  return api(200, body, now);
}

function singleLookup(
  view: XPlatformView,
  id: string,
  query: URLSearchParams,
  options: XRouterOptions,
  now: number,
): XAnswer {
  if (!ID.test(id))
    return api(400, invalidRequest('id', id, `The \`id\` query parameter value [${id}] is not valid`), now);
  const answer = lookUpOne(view, id, 'id');
  if ('error' in answer) {
    const status = answer.missing && options.singleLookupMissing !== '200-errors' ? 404 : 200;
    return api(status, { errors: [answer.error] }, now);
  }
  const fields = fieldSelection(query);
  const body: { [key: string]: Json } = { data: renderTweet(answer.tweet, fields, view) };
  const includes = renderIncludes([answer.tweet], fields, view);
  if (includes) body.includes = includes;
  return api(200, body, now);
}

function lookUpOne(
  view: XPlatformView,
  id: string,
  parameter: string,
): { tweet: XTweetRecord } | { error: Json; missing: boolean } {
  const resource = { type: 'tweet' as const, parameter, value: id };
  const tweet = view.tweet(id);
  const author = tweet && view.userById(tweet.authorId);
  if (!tweet || tweet.deleted || !author)
    return { error: resourceError('not-found', resource), missing: true };
  if (author.suspended)
    return { error: resourceError('suspended', resource, author.username), missing: false };
  if (author.protected) return { error: resourceError('not-authorized', resource), missing: false };
  return { tweet };
}

/** `GET /tweet-result?id=&token=`: the post, a TweetTombstone, or a 404 with an empty body. */
function syndication(view: XPlatformView, query: URLSearchParams): XAnswer {
  const id = query.get('id') ?? '';
  if (!ID.test(id) || query.get('token') !== syndicationToken(id)) return raw(404, '', 'text/plain');
  const tweet = view.tweet(id);
  const author = tweet && view.userById(tweet.authorId);
  if (!tweet || tweet.deleted || !author) return raw(404, '', 'text/plain');
  if (tweet.withheld || author.protected || author.suspended) return embedJson(200, tombstone());
  return embedJson(200, renderSyndicationTweet(tweet, author, view));
}

/** `GET /oembed?url=`: 404 for a post that is gone, 403 for a protected one. */
function oembed(view: XPlatformView, query: URLSearchParams): XAnswer {
  const match =
    /^https:\/\/(?:www\.|mobile\.)?(?:twitter|x)\.com\/([A-Za-z0-9_]{1,15})\/status\/([0-9]{1,19})\/?$/.exec(
      query.get('url') ?? '',
    );
  const tweet = match ? view.tweet(match[2]) : undefined;
  const author = tweet && view.userById(tweet.authorId);
  if (
    !tweet ||
    tweet.deleted ||
    !author ||
    author.suspended ||
    author.username.toLowerCase() !== match![1].toLowerCase()
  )
    return raw(404, '', 'text/plain');
  if (author.protected || tweet.withheld) return raw(403, '', 'text/plain');
  return embedJson(
    200,
    renderOembed(tweet, author, {
      omitScript: query.get('omit_script') === '1' || query.get('omit_script') === 'true',
    }),
  );
}

function encodePageToken(oldestId: string): string {
  return `7140dibd${BigInt(oldestId).toString(36)}`;
}

function decodePageToken(token: string): string | null {
  const match = /^7140dibd([0-9a-z]{1,13})$/.exec(token);
  if (!match) return null;
  let value = 0n;
  for (const digit of match[1]) value = value * 36n + BigInt(parseInt(digit, 36));
  return value.toString();
}

/** A v2 response with the rate-limit headers X sends on every answer. */
function api(status: number, body: Json, now: number): XAnswer {
  const answer = json(status, body);
  answer.headers['x-rate-limit-limit'] = '900';
  answer.headers['x-rate-limit-reset'] = String(Math.ceil(now / 1000) + WINDOW_S);
  answer.headers['x-rate-limit-remaining'] = '899';
  return answer;
}

function json(status: number, body: Json): XAnswer {
  return raw(status, JSON.stringify(body), 'application/json; charset=utf-8');
}

function embedJson(status: number, body: Json): XAnswer {
  return raw(status, JSON.stringify(body), 'application/json;charset=utf-8');
}

function raw(status: number, text: string, contentType: string): XAnswer {
  const body = Buffer.from(text, 'utf8');
  return {
    status,
    headers: {
      'content-type': contentType,
      'cache-control': 'no-cache, no-store, max-age=0',
      'content-length': String(body.length),
    },
    body,
  };
}
