import { sourceFailureMessage } from '@app/core';
import {
  type FetchedPost,
  type PostAnswer,
  type PostRef,
  type RawArtifact,
  type ReadMeter,
  type ResolvedAccount,
} from '../connector';
import { type HttpResponse } from '../http';
import { type JsonParsing } from '../json-parsing';
import { TWEET_QUERY, type XApi, apiArtifacts } from './x-api';
import {
  type XApiError,
  type XIncludes,
  type XTweet,
  classifyError,
  errorResourceId,
  errorText,
} from './x-entities';
import { X_ID } from './x-ids';
import { tweetToContent } from './x-tweet';

/** Most ids one `GET /2/tweets?ids=` may carry. */
export const X_LOOKUP_LIMIT = 100;

/** What the API said about one id. */
type Said =
  | { kind: 'tweet'; tweet: XTweet; includes: XIncludes; artifacts: RawArtifact[] }
  | { kind: 'error'; error: XApiError; httpStatus: number; artifacts: RawArtifact[] }
  | { kind: 'failed'; detail: string };

/**
 * Re-reads known posts with `GET /2/tweets?ids=` (100 a request). A 404, or a 200 whose `errors[]` names the
 * id as not found, is the platform's definitive word; a suspended author or a protected post is
 * `unavailable`; 429, 5xx, timeouts and garbage are `unknown`. A post read under its first id whose edit
 * history has grown is read again under its newest id, so an edit becomes a new version of the same statement.
 * A batch answered 404 is asked again one id at a time (`GET /2/tweets/:id`), where 404 means not found.
 */
export class XRecheck {
  /** set after a 429, a timeout or a refused token: this call asks the API nothing more */
  private trouble: string | null = null;

  constructor(
    private readonly api: XApi,
    private readonly account: ResolvedAccount,
    private readonly parsing: JsonParsing,
    private readonly meter?: ReadMeter,
  ) {}

  async run(refs: PostRef[]): Promise<PostAnswer[]> {
    const valid = [...new Set(refs.map((r) => r.postId).filter((id) => X_ID.test(id)))];
    const said = await this.lookUp(valid);
    const newer = [...said.values()].flatMap((s) =>
      s.kind === 'tweet' && latestId(s.tweet) !== s.tweet.id ? [latestId(s.tweet)] : [],
    );
    const latest = newer.length > 0 ? await this.lookUp(newer) : new Map<string, Said>();
    return refs.map((ref) => {
      if (!X_ID.test(ref.postId)) return unknown(ref, `${ref.postId} is not an X post id`);
      const first = said.get(ref.postId) ?? { kind: 'failed', detail: 'the API did not mention this post' };
      const newest = first.kind === 'tweet' ? latest.get(latestId(first.tweet)) : undefined;
      // the newest version read wins; when only the first id answered, that version is what we know
      return this.answer(ref, newest?.kind === 'tweet' ? newest : first);
    });
  }

  private async lookUp(ids: string[]): Promise<Map<string, Said>> {
    const said = new Map<string, Said>();
    for (let start = 0; start < ids.length; start += X_LOOKUP_LIMIT) {
      const chunk = ids.slice(start, start + X_LOOKUP_LIMIT);
      const response = await this.request('/2/tweets', { ...TWEET_QUERY, ids: chunk.join(',') });
      if (typeof response === 'string') {
        for (const id of chunk) said.set(id, { kind: 'failed', detail: response });
      } else if (response.status === 404) {
        for (const id of chunk) said.set(id, await this.lookUpOne(id));
      } else {
        for (const [id, answer] of await this.batchAnswers(chunk, response)) said.set(id, answer);
      }
    }
    return said;
  }

  private async batchAnswers(ids: string[], response: HttpResponse): Promise<Map<string, Said>> {
    const what = `X lookup of ${ids.length} posts`;
    const said = new Map<string, Said>();
    const failed = (detail: string) =>
      new Map(ids.map((id): [string, Said] => [id, { kind: 'failed', detail }]));
    if (response.status < 200 || response.status > 299) return failed(this.noteStatus(response, what));
    let body;
    try {
      body = await this.parsing.read(response.body, 'x-posts', what);
    } catch (error) {
      return failed(sourceFailureMessage(error));
    }
    this.meter?.add((body.data?.length ?? 0) + (body.includes?.tweets?.length ?? 0));
    const artifacts = apiArtifacts(response);
    for (const error of body.errors ?? []) {
      const id = errorResourceId(error);
      if (id !== null && ids.includes(id)) said.set(id, { kind: 'error', error, httpStatus: 200, artifacts });
    }
    for (const tweet of body.data ?? []) {
      if (ids.includes(tweet.id))
        said.set(tweet.id, { kind: 'tweet', tweet, includes: body.includes, artifacts });
    }
    return said;
  }

  /** `GET /2/tweets/:id`: 404 (current API) and a 200 with `errors[]` (older API) both say "not found". */
  private async lookUpOne(id: string): Promise<Said> {
    const what = `X post ${id}`;
    const response = await this.request(`/2/tweets/${id}`, TWEET_QUERY);
    if (typeof response === 'string') return { kind: 'failed', detail: response };
    const artifacts = apiArtifacts(response);
    let body;
    try {
      body =
        response.status === 404 || response.status === 200
          ? await this.parsing.read(response.body, 'x-post', what)
          : null;
    } catch (error) {
      if (response.status !== 404) return { kind: 'failed', detail: sourceFailureMessage(error) };
      body = null;
    }
    if (response.status === 404) {
      const error = body?.errors?.[0] ?? { title: 'Not Found Error', detail: `${what}: HTTP 404` };
      return { kind: 'error', error, httpStatus: 404, artifacts };
    }
    if (!body) return { kind: 'failed', detail: this.noteStatus(response, what) };
    this.meter?.add(body.data ? 1 : 0);
    if (body.data?.id === id) return { kind: 'tweet', tweet: body.data, includes: body.includes, artifacts };
    const error = body.errors?.[0];
    if (error) return { kind: 'error', error, httpStatus: 200, artifacts };
    return { kind: 'failed', detail: `${what}: the API answered without the post or an error` };
  }

  private answer(ref: PostRef, said: Said): PostAnswer {
    if (said.kind === 'failed') return unknown(ref, said.detail);
    if (said.kind === 'tweet') {
      if (said.tweet.author_id !== undefined && said.tweet.author_id !== this.account.externalId)
        return unknown(ref, `X answered post ${said.tweet.id} as one of user ${said.tweet.author_id}`);
      return { kind: 'found', ref, post: this.postOf(said.tweet, said.includes, said.artifacts) };
    }
    const { error, httpStatus, artifacts: evidence } = said;
    const detail = `X post ${ref.postId}: ${errorText(error)}`;
    // a single lookup's 404 is the platform's "no such post", whatever its body says
    if (httpStatus === 404) return { kind: 'not-found', ref, httpStatus, evidence };
    switch (classifyError(error)) {
      case 'not-found':
        return { kind: 'not-found', ref, httpStatus, evidence };
      case 'suspended':
        return { kind: 'unavailable', ref, reason: 'account-suspended', detail, httpStatus, evidence };
      case 'not-authorized':
        return { kind: 'unavailable', ref, reason: 'private', detail, httpStatus, evidence };
      default:
        return unknown(ref, detail);
    }
  }

  private postOf(tweet: XTweet, includes: XIncludes, artifacts: RawArtifact[]): FetchedPost {
    return {
      content: tweetToContent(tweet, includes, this.account.handle),
      artifacts,
      evidenceLevel: 'captured',
    };
  }

  /** A response, or why there is none; after a failure that concerns the whole API the call stops asking. */
  private async request(path: string, query: Record<string, string>): Promise<HttpResponse | string> {
    if (this.trouble) return `not asked after an earlier failure: ${this.trouble}`;
    try {
      return await this.api.get(path, query);
    } catch (error) {
      this.trouble = sourceFailureMessage(error);
      return this.trouble;
    }
  }

  private noteStatus(response: HttpResponse, what: string): string {
    const detail = `${what}: HTTP ${response.status}`;
    if (response.status === 429 || response.status === 401 || response.status === 403) this.trouble = detail;
    return detail;
  }
}

function latestId(tweet: XTweet): string {
  return tweet.edit_history_tweet_ids[tweet.edit_history_tweet_ids.length - 1];
}

function unknown(ref: PostRef, detail: string): PostAnswer {
  return { kind: 'unknown', ref, detail };
}
