import { ErrorCode, SourceError, isLocalOverload } from '@app/core';
import { type FetchedPost, type PostAnswer, type PostRef, type ResolvedAccount } from '../connector';
import { type GuardedHttpClient, type HttpResponse, responseArtifacts } from '../http';
import { type JsonParsing } from '../json-parsing';
import { type SyndicationTweet, accountOf, oembedToContent, syndicationToContent } from './x-embed-entities';
import { X_ID } from './x-ids';
import { syndicationToken } from './x-syndication-token';
import { xPostUrl } from './x-urls';

export interface XEmbedOptions {
  syndicationBaseUrl: string;
  oembedBaseUrl: string;
  /** where accounts are said to be read from, so embed captures and API polls share account rows */
  apiBaseUrl: string;
  parsing: JsonParsing;
}

/** What the syndication endpoint said about one post. */
type SyndicationAnswer =
  | { kind: 'tweet'; tweet: SyndicationTweet; response: HttpResponse }
  /** 404 or `{}`: no such post */
  | { kind: 'not-found'; response: HttpResponse }
  /** `{"__typename":"TweetTombstone"}`: withheld, deleted, age-gated; X does not say which */
  | { kind: 'tombstone'; response: HttpResponse }
  | { kind: 'failed'; error: SourceError };

/**
 * Single posts through X's public embed endpoints, without a token: the syndication CDN's `tweet-result`
 * first, oEmbed as the fallback. A lower grade of evidence than the API (undocumented, reshaped before), so
 * every record made here carries `via`.
 */
export class XEmbed {
  constructor(
    private readonly http: Pick<GuardedHttpClient, 'request'>,
    private readonly options: XEmbedOptions,
  ) {}

  async capture(
    username: string,
    postId: string,
  ): Promise<{ account: ResolvedAccount; posts: FetchedPost[] }> {
    const answer = await this.syndication(postId);
    if (answer.kind === 'tweet') {
      const { tweet, response } = answer;
      const account = accountOf(
        { id: tweet.user.id_str, username: tweet.user.screen_name, name: tweet.user.name },
        this.options.apiBaseUrl,
      );
      const post: FetchedPost = {
        content: syndicationToContent(tweet),
        artifacts: responseArtifacts(response, 'response', 'application/json'),
        evidenceLevel: 'captured',
      };
      return { account, posts: [post] };
    }
    if (answer.kind === 'tombstone') {
      throw new SourceError(
        ErrorCode.SourceGone,
        `X post ${postId} is not shown by the public embed endpoint (TweetTombstone: withheld, deleted or age-restricted)`,
        answer.response.status,
      );
    }
    // 404 and failures alike: oEmbed may still know the post (and says 404 when it is gone)
    return this.oembed(username, postId);
  }

  /** Re-reads posts one by one through the syndication endpoint (free, and the only way without a token). */
  async fetchMany(refs: PostRef[], maxLookups: number): Promise<PostAnswer[]> {
    const answers: PostAnswer[] = [];
    let asked = 0;
    let trouble: string | null = null;
    for (const ref of refs) {
      if (!X_ID.test(ref.postId)) {
        answers.push({ kind: 'unknown', ref, detail: `${ref.postId} is not an X post id` });
        continue;
      }
      if (trouble || asked >= maxLookups) {
        const detail = trouble ?? `not asked: at most ${maxLookups} embed lookups per re-check`;
        answers.push({ kind: 'unknown', ref, detail });
        continue;
      }
      asked += 1;
      const answer = await this.syndication(ref.postId);
      if (answer.kind === 'failed') trouble = answer.error.message;
      answers.push(toPostAnswer(ref, answer));
    }
    return answers;
  }

  private async syndication(postId: string): Promise<SyndicationAnswer> {
    const what = `X syndication of post ${postId}`;
    const url = new URL(`${this.options.syndicationBaseUrl.replace(/\/+$/, '')}/tweet-result`);
    url.searchParams.set('id', postId);
    url.searchParams.set('token', syndicationToken(postId));
    url.searchParams.set('lang', 'en');
    let response: HttpResponse;
    try {
      response = await this.http.request(url, { headers: { Accept: 'application/json' } });
    } catch (error) {
      // our own load refusing the request says nothing of the post: thrown on, for the work to be put off
      if (isLocalOverload(error) || !(error instanceof SourceError)) throw error;
      return { kind: 'failed', error };
    }
    if (response.status === 404) return { kind: 'not-found', response };
    if (response.status !== 200) {
      const error = new SourceError(
        ErrorCode.SourceUnavailable,
        `${what}: HTTP ${response.status}`,
        response.status,
      );
      return { kind: 'failed', error };
    }
    let body;
    try {
      body = await this.options.parsing.read(response.body, 'x-syndication', what);
    } catch (error) {
      // our own load kept the body unread: it says nothing of the post, and the work is put off
      if (isLocalOverload(error) || !(error instanceof SourceError)) throw error;
      return { kind: 'failed', error };
    }
    if (body.kind !== 'tweet') return { kind: body.kind, response };
    const { tweet } = body;
    if (tweet.id_str !== postId) {
      const error = new SourceError(
        ErrorCode.SourceInvalidResponse,
        `${what}: answered with post ${tweet.id_str}`,
      );
      return { kind: 'failed', error };
    }
    return { kind: 'tweet', tweet, response };
  }

  private async oembed(
    username: string,
    postId: string,
  ): Promise<{ account: ResolvedAccount; posts: FetchedPost[] }> {
    const what = `X oEmbed of post ${postId}`;
    const url = new URL(`${this.options.oembedBaseUrl.replace(/\/+$/, '')}/oembed`);
    url.searchParams.set('url', xPostUrl(username, postId));
    url.searchParams.set('omit_script', '1');
    const response = await this.http.request(url, { headers: { Accept: 'application/json' } });
    if (response.status === 404) {
      throw new SourceError(
        ErrorCode.SourceNotFound,
        `no X post ${postId} (the public embed endpoints answer 404)`,
        404,
      );
    }
    if (response.status === 403) {
      throw new SourceError(
        ErrorCode.SourceAuthRequired,
        `X post ${postId} is protected: not shown to the public`,
        403,
      );
    }
    if (response.status !== 200) {
      throw new SourceError(ErrorCode.SourceUnavailable, `${what}: HTTP ${response.status}`, response.status);
    }
    const body = await this.options.parsing.read(response.body, 'x-oembed', what);
    const parsed = oembedToContent(body, postId, what);
    // oEmbed gives no user id: the account is known by its handle only
    const account = accountOf(
      { id: `@${parsed.username.toLowerCase()}`, username: parsed.username, name: parsed.displayName },
      this.options.apiBaseUrl,
    );
    const post: FetchedPost = {
      content: parsed.content,
      artifacts: responseArtifacts(response, 'response', 'application/json'),
      evidenceLevel: 'captured',
    };
    return { account, posts: [post] };
  }
}

function toPostAnswer(ref: PostRef, answer: SyndicationAnswer): PostAnswer {
  switch (answer.kind) {
    case 'tweet':
      return {
        kind: 'found',
        ref,
        post: {
          content: syndicationToContent(answer.tweet),
          artifacts: responseArtifacts(answer.response, 'response', 'application/json'),
          evidenceLevel: 'captured',
        },
      };
    case 'not-found':
      return {
        kind: 'not-found',
        ref,
        httpStatus: answer.response.status,
        evidence: responseArtifacts(answer.response, 'response', 'application/json'),
      };
    case 'tombstone':
      return {
        kind: 'unavailable',
        ref,
        reason: 'withheld',
        detail: 'the public embed endpoint shows a TweetTombstone (withheld, deleted or age-restricted)',
        httpStatus: answer.response.status,
        evidence: responseArtifacts(answer.response, 'response', 'application/json'),
      };
    case 'failed':
      return { kind: 'unknown', ref, detail: answer.error.message };
  }
}
