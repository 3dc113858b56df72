import { contentSha256, sourceFailureMessage, withoutNulCharacters } from '@app/core';
import {
  type FetchedPost,
  type PostAnswer,
  type PostRef,
  type RawArtifact,
  type ResolvedAccount,
} from '../connector';
import { type HttpResponse } from '../http';
import { type JsonParsing } from '../json-parsing';
import { type PostView, postView, xrpcErrorOf } from './bluesky-entities';
import { postToContent } from './bluesky-post';
import { parsePostUri } from './bluesky-urls';
import { type Xrpc, jsonArtifacts } from './bluesky-xrpc';

/** Most URIs one `app.bsky.feed.getPosts` may carry. */
export const GET_POSTS_LIMIT = 25;

type Prove = (view: PostView, artifacts: RawArtifact[]) => Promise<FetchedPost | null>;

/**
 * Re-reads known posts with `app.bsky.feed.getPosts` (25 a request), where a post that no longer exists is
 * simply omitted. An omission is only a hint: each omitted post is asked again with
 * `app.bsky.feed.getPostThread`, whose 400 `NotFound` (or a `#notFoundPost` thread) is the definitive word.
 * A post found with a new CID (its record rewritten) comes back with its proof, as a new version.
 */
export class BlueskyRecheck {
  /** set after a 429, a 5xx or a network failure: this call asks nothing more */
  private trouble: string | null = null;

  constructor(
    private readonly appView: Xrpc,
    private readonly account: ResolvedAccount,
    private readonly parsing: JsonParsing,
    private readonly prove: Prove,
  ) {}

  async run(refs: PostRef[]): Promise<PostAnswer[]> {
    const mine = (ref: PostRef) => parsePostUri(ref.postId)?.did === this.account.externalId;
    const uris = [...new Set(refs.filter(mine).map((r) => r.postId))];
    const read = new Map<string, { view: PostView; artifacts: RawArtifact[] } | string>();
    for (let start = 0; start < uris.length; start += GET_POSTS_LIMIT) {
      const chunk = uris.slice(start, start + GET_POSTS_LIMIT);
      const response = await this.request('app.bsky.feed.getPosts', { uris: chunk });
      const answer = typeof response === 'string' ? response : await this.postsOf(response, chunk.length);
      for (const uri of chunk) {
        if (typeof answer === 'string') read.set(uri, answer);
        else {
          const view = answer.posts.find((p) => p.uri === uri);
          if (view) read.set(uri, { view, artifacts: answer.artifacts });
        }
      }
    }
    const answers: PostAnswer[] = [];
    for (const ref of refs) {
      if (!mine(ref)) {
        answers.push(unknown(ref, `${ref.postId} is not a post URI of ${this.account.externalId}`));
        continue;
      }
      const said = read.get(ref.postId);
      if (typeof said === 'string') answers.push(unknown(ref, said));
      else if (said) answers.push(await this.found(ref, said.view, said.artifacts));
      else answers.push(await this.confirmMissing(ref));
    }
    return answers;
  }

  private async postsOf(
    response: HttpResponse,
    asked: number,
  ): Promise<{ posts: PostView[]; artifacts: RawArtifact[] } | string> {
    const what = `Bluesky getPosts of ${asked} posts`;
    if (response.status !== 200) return this.noteStatus(response, what);
    try {
      const { posts } = await this.parsing.read(response.body, 'bluesky-posts', what);
      return { posts, artifacts: jsonArtifacts(response) };
    } catch (error) {
      return sourceFailureMessage(error);
    }
  }

  /** getPosts omitted it: getPostThread says whether it is gone. */
  private async confirmMissing(ref: PostRef): Promise<PostAnswer> {
    const what = `Bluesky post ${ref.postId}`;
    const response = await this.request('app.bsky.feed.getPostThread', { uri: ref.postId, depth: '0' });
    if (typeof response === 'string') return unknown(ref, response);
    const evidence = jsonArtifacts(response);
    if (response.status === 400 && xrpcErrorOf(response.body)?.error === 'NotFound')
      return { kind: 'not-found', ref, httpStatus: 400, evidence };
    if (response.status !== 200) return unknown(ref, this.noteStatus(response, what));
    let thread;
    try {
      thread = (await this.parsing.read(response.body, 'bluesky-thread', what)).thread;
    } catch (error) {
      return unknown(ref, sourceFailureMessage(error));
    }
    if (thread.$type === 'app.bsky.feed.defs#notFoundPost')
      return { kind: 'not-found', ref, httpStatus: 200, evidence };
    if (thread.$type === 'app.bsky.feed.defs#blockedPost')
      return {
        kind: 'unavailable',
        ref,
        reason: 'private',
        detail: `${what}: the AppView answers it as blocked`,
        httpStatus: 200,
        evidence,
      };
    const view = postView.safeParse(thread.post);
    if (!view.success || view.data.uri !== ref.postId)
      return unknown(ref, `${what}: getPosts omitted it and the thread does not show it (${thread.$type})`);
    return this.found(ref, view.data, evidence);
  }

  private async found(ref: PostRef, view: PostView, artifacts: RawArtifact[]): Promise<PostAnswer> {
    const content = postToContent(view);
    // the version we hold, unchanged (same CID and words): no new version, so no proof to fetch for it
    if (content && ref.held?.contentSha256 === contentSha256(withoutNulCharacters(content)))
      return { kind: 'found', ref, post: { content, artifacts, evidenceLevel: 'captured' } };
    let post: FetchedPost | null;
    try {
      post = await this.prove(view, artifacts);
    } catch (error) {
      return unknown(ref, sourceFailureMessage(error));
    }
    return post
      ? { kind: 'found', ref, post }
      : unknown(ref, `${ref.postId}: the AppView answered another shape`);
  }

  private async request(
    method: string,
    params: Record<string, string | string[]>,
  ): Promise<HttpResponse | string> {
    if (this.trouble) return `not asked after an earlier failure: ${this.trouble}`;
    try {
      return await this.appView.get(method, params);
    } catch (error) {
      this.trouble = sourceFailureMessage(error);
      return this.trouble;
    }
  }

  private noteStatus(response: HttpResponse, what: string): string {
    const error = xrpcErrorOf(response.body);
    const detail = `${what}: HTTP ${response.status}${error ? ` ${error.error}` : ''}`;
    if (response.status === 429 || response.status >= 500) this.trouble = detail;
    return detail;
  }
}

function unknown(ref: PostRef, detail: string): PostAnswer {
  return { kind: 'unknown', ref, detail };
}
