import { ErrorCode, SourceError } from '@app/core';
import { type FetchedPost, type RawArtifact, type ReadMeter, type ResolvedAccount } from '../connector';
import { type JsonParsing } from '../json-parsing';
import { TWEET_QUERY, type XApi, apiArtifacts } from './x-api';
import { type XApiError, type XTweet, classifyError, errorText, invalid } from './x-entities';
import { compareXIds } from './x-ids';
import { tweetToContent } from './x-tweet';

/** X's largest page of a user's posts. */
export const X_PAGE_LIMIT = 100;

export interface TimelineRead {
  posts: FetchedPost[];
  /** the newest post id seen (a later version's id when an edit came in), or null when nothing was read */
  newestId: string | null;
  httpStatus: number;
}

/**
 * Reads an account's posts newest first, following `meta.next_token`: everything after `sinceId`, or (first
 * poll) up to `backfillLimit` posts. Bounded by `maxPages` and by the read budget left. Versions of one post
 * (an edit is a new id) become one statement, keyed by the first id of their edit history: the newest
 * version read wins.
 */
export async function readTimeline(
  api: XApi,
  account: ResolvedAccount,
  options: {
    sinceId?: string;
    backfillLimit: number;
    maxPages: number;
    meter?: ReadMeter;
    parsing: JsonParsing;
  },
): Promise<TimelineRead> {
  const what = `X timeline of @${account.handle}`;
  const latest = new Map<string, { tweet: XTweet; post: FetchedPost }>();
  let token: string | null = null;
  let httpStatus = 200;
  let read = 0;
  for (let page = 0; page < options.maxPages; page++) {
    if (options.meter && options.meter.remaining <= 0) break;
    const wanted = options.sinceId ? X_PAGE_LIMIT : Math.min(X_PAGE_LIMIT, options.backfillLimit - read);
    if (wanted <= 0) break;
    const query: Record<string, string> = { ...TWEET_QUERY, max_results: String(Math.max(5, wanted)) };
    if (options.sinceId) query.since_id = options.sinceId;
    if (token) query.pagination_token = token;
    const response = await api.get(`/2/users/${encodeURIComponent(account.externalId)}/tweets`, query);
    api.throwForStatus(response, what);
    httpStatus = response.status;
    const body = await options.parsing.read(response.body, 'x-timeline-page', what);
    const tweets = body.data ?? [];
    options.meter?.add(tweets.length + (body.includes?.tweets?.length ?? 0));
    if (tweets.length === 0 && body.errors?.length) throw accountError(body.errors[0], account, what);
    const artifacts: RawArtifact[] = apiArtifacts(response);
    for (const tweet of tweets) {
      if (tweet.author_id !== undefined && tweet.author_id !== account.externalId)
        throw invalid(what, `post ${tweet.id} belongs to user ${tweet.author_id}`);
      const key = tweet.edit_history_tweet_ids[0];
      const known = latest.get(key);
      if (known && compareXIds(known.tweet.id, tweet.id) >= 0) continue;
      const content = tweetToContent(tweet, body.includes, account.handle);
      latest.set(key, { tweet, post: { content, artifacts, evidenceLevel: 'captured' } });
    }
    read += tweets.length;
    const next = body.meta?.next_token ?? null;
    // a server repeating its token would keep us here
    if (next === null || next === token || tweets.length === 0) break;
    token = next;
  }
  const versions = [...latest.values()].sort((a, b) => compareXIds(a.tweet.id, b.tweet.id));
  return {
    posts: versions.map((v) => v.post),
    newestId: versions.length > 0 ? versions[versions.length - 1].tweet.id : null,
    httpStatus,
  };
}

/** A timeline answered with `errors[]` and no posts: the account itself cannot be read. */
function accountError(error: XApiError, account: ResolvedAccount, what: string): SourceError {
  const detail = errorText(error);
  switch (classifyError(error)) {
    case 'not-found':
      return new SourceError(
        ErrorCode.SourceNotFound,
        `X account @${account.handle} no longer exists (${detail})`,
        200,
      );
    case 'suspended':
      return new SourceError(
        ErrorCode.SourceGone,
        `X account @${account.handle} is suspended (${detail})`,
        200,
      );
    case 'not-authorized':
      return new SourceError(
        ErrorCode.SourceAuthRequired,
        `X account @${account.handle} is protected: its posts are not public (${detail})`,
        200,
      );
    default:
      return invalid(what, detail);
  }
}
