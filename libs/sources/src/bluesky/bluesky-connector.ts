import { z } from 'zod';
import { ErrorCode, SourceError, toUtcTimestamp } from '@app/core';
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
import { type GuardedHttpClient, type HttpResponse, throwForStatus } from '../http';
import { type JsonParsing, inThreadJsonParsing } from '../json-parsing';
import { type PostView, REASON_PIN, REASON_REPOST, invalid, postView, xrpcErrorOf } from './bluesky-entities';
import { postToContent } from './bluesky-post';
import { BlueskyProver } from './bluesky-proof';
import { BlueskyRecheck } from './bluesky-recheck';
import {
  DID,
  blueskyProfileUrl,
  isBlueskyHost,
  parseBlueskyPostUrl,
  parseBlueskyProfileUrl,
  postUri,
} from './bluesky-urls';
import { Xrpc, jsonArtifacts } from './bluesky-xrpc';

export interface BlueskyConnectorOptions {
  /** the AppView read for profiles, feeds and posts; default https://public.api.bsky.app */
  appViewUrl: string;
  /** the PLC directory did:plc documents are read from; default https://plc.directory */
  plcUrl: string;
  /** posts the first poll of an account reads back; default 200 */
  backfillLimit?: number;
  /** most feed pages one poll may read; default 10 */
  maxPages?: number;
  /** where bodies are read: big ones on a worker thread in a running server; default in this thread */
  parsing?: JsonParsing;
}

/** URIs of the newest posts seen, newest first: a poll stops at the first of them it meets again. */
const KNOWN_URIS = 50;
const PAGE_SIZE = 100;
/**
 * The first page of a poll that knows the account's newest posts. Bluesky has no "since": every poll reads the
 * newest page again, and most polls find nothing new. 100 items of a feed of replies are about 300 KB, past the
 * size its JSON is read on the parse thread, and kept whole as the evidence of each post new in it; 25 are about
 * 75 KB. A first page that meets no known post is followed by full pages.
 */
const PAGE_SIZE_WHEN_KNOWN = 25;

const blueskyCursor = z
  .object({ known: z.array(z.string().startsWith('at://').max(8192)).max(KNOWN_URIS).optional() })
  .strict();
export type BlueskyCursor = z.infer<typeof blueskyCursor>;

/**
 * Bluesky (AT Protocol) through a public AppView, with proof of authorship: each new version's record is
 * fetched from the author's PDS as a signed CAR and verified against the signing key of the author's DID
 * document before it is kept, which makes the version `platform-signed`.
 *
 * Reposts are not captured: they are another account's records (whose proof is under that account's DID),
 * not statements of the account tracked. Replies are captured, flagged `isReply`.
 */
export class BlueskyConnector implements Connector<BlueskyCursor> {
  readonly platform = 'bluesky' as const;
  readonly describes =
    'a Bluesky profile URL (https://bsky.app/profile/handle) or post URL (https://bsky.app/profile/handle/post/rkey)';
  private readonly appView: Xrpc;
  private readonly parsing: JsonParsing;

  constructor(
    private readonly http: Pick<GuardedHttpClient, 'request'>,
    private readonly options: BlueskyConnectorOptions,
  ) {
    this.appView = new Xrpc(http, options.appViewUrl);
    this.parsing = options.parsing ?? inThreadJsonParsing();
  }

  readonly readCursor = cursorReader('Bluesky', blueskyCursor);

  canTrack(url: URL): boolean {
    return parseBlueskyProfileUrl(url) !== null;
  }

  canCapture(url: URL): boolean {
    return parseBlueskyPostUrl(url) !== null;
  }

  ownsHost(url: URL): boolean {
    return isBlueskyHost(url);
  }

  async resolve(url: URL): Promise<ResolvedAccount> {
    const ref = parseBlueskyProfileUrl(url);
    if (!ref) throw new SourceError(ErrorCode.UnsupportedUrl, `not ${this.describes}: ${url.href}`);
    return this.profile(ref.actor);
  }

  async poll(account: ResolvedAccount, cursor: BlueskyCursor): Promise<PollResult<BlueskyCursor>> {
    const known = new Set(cursor.known ?? []);
    const backfill = Math.max(1, this.options.backfillLimit ?? 200);
    const maxPages = Math.max(1, this.options.maxPages ?? 10);
    const found: { view: PostView; artifacts: RawArtifact[] }[] = [];
    let httpStatus = 200;
    let pageCursor: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const what = `Bluesky feed of ${account.externalId}`;
      const response = await this.appView.get('app.bsky.feed.getAuthorFeed', {
        actor: account.externalId,
        limit: String(page === 0 && known.size > 0 ? PAGE_SIZE_WHEN_KNOWN : PAGE_SIZE),
        filter: 'posts_with_replies',
        ...(pageCursor ? { cursor: pageCursor } : {}),
      });
      this.throwForStatus(response, what);
      httpStatus = response.status;
      const body = await this.parsing.read(response.body, 'bluesky-author-feed', what);
      const artifacts = jsonArtifacts(response);
      let reachedKnown = false;
      for (const item of body.feed) {
        const reason = item.reason?.$type;
        if (reason === REASON_PIN) continue;
        if (reason === REASON_REPOST || item.post.author.did !== account.externalId) continue;
        if (known.has(item.post.uri)) {
          reachedKnown = true;
          break;
        }
        found.push({ view: item.post, artifacts });
      }
      pageCursor = body.cursor;
      if (reachedKnown || !pageCursor || body.feed.length === 0) break;
      // also when every known post is gone: never prove more than a backfill's worth in one poll
      if (found.length >= backfill) break;
    }
    const newest = found.slice(0, backfill);
    const next: BlueskyCursor = {
      known: [...new Set([...newest.map((f) => f.view.uri), ...(cursor.known ?? [])])].slice(0, KNOWN_URIS),
    };
    if (newest.length === 0) return { kind: 'unchanged', httpStatus, cursor: next };
    const prover = new BlueskyProver(this.http, account.externalId, this.options.plcUrl);
    const posts: FetchedPost[] = [];
    // oldest first, as a person would read them
    for (const { view, artifacts } of [...newest].reverse()) {
      const post = await proven(view, artifacts, prover);
      if (post) posts.push(post);
    }
    return { kind: 'posts', httpStatus, posts, cursor: next };
  }

  async capture(url: URL): Promise<{ account: ResolvedAccount; posts: FetchedPost[] }> {
    const ref = parseBlueskyPostUrl(url);
    if (!ref)
      throw new SourceError(
        ErrorCode.UnsupportedUrl,
        `not a Bluesky post URL (https://bsky.app/profile/handle/post/rkey): ${url.href}`,
      );
    const account = await this.profile(ref.actor);
    const uri = postUri(account.externalId, ref.rkey);
    const what = `Bluesky post ${uri}`;
    const response = await this.appView.get('app.bsky.feed.getPostThread', { uri, depth: '0' });
    if (response.status === 400 && xrpcErrorOf(response.body)?.error === 'NotFound')
      throw new SourceError(ErrorCode.SourceNotFound, `no Bluesky post ${uri}`, 400);
    this.throwForStatus(response, what);
    const body = await this.parsing.read(response.body, 'bluesky-thread', what);
    const view = postView.safeParse(body.thread.post);
    if (!view.success) throw new SourceError(ErrorCode.SourceNotFound, `${what}: ${body.thread.$type}`, 200);
    const prover = new BlueskyProver(this.http, account.externalId, this.options.plcUrl);
    const post = await proven(view.data, jsonArtifacts(response), prover);
    if (!post) throw invalid(what, 'the thread holds another post');
    return { account, posts: [post] };
  }

  fetchMany(account: ResolvedAccount, refs: PostRef[]): Promise<PostAnswer[]> {
    const prover = new BlueskyProver(this.http, account.externalId, this.options.plcUrl);
    return new BlueskyRecheck(this.appView, account, this.parsing, (view, artifacts) =>
      proven(view, artifacts, prover),
    ).run(refs);
  }

  /** `app.bsky.actor.getProfile`: a handle or a DID to the account (the DID is its id). */
  private async profile(actor: string): Promise<ResolvedAccount> {
    const what = `Bluesky account ${actor}`;
    const response = await this.appView.get('app.bsky.actor.getProfile', { actor });
    const error = response.status === 400 ? xrpcErrorOf(response.body) : null;
    if (error && /not found|unable to resolve/i.test(error.message ?? ''))
      throw new SourceError(ErrorCode.SourceNotFound, `no Bluesky account ${actor}`, 400);
    this.throwForStatus(response, what);
    const profile = await this.parsing.read(response.body, 'bluesky-profile', what);
    if (!DID.test(profile.did)) throw invalid(what, `${profile.did} is not a did:plc or did:web`);
    return {
      platform: this.platform,
      handle: profile.handle,
      externalId: profile.did,
      displayName: profile.displayName || null,
      profileUrl: blueskyProfileUrl(profile.handle),
      sourceUrl: this.options.appViewUrl,
    };
  }

  /** XRPC answers errors as 400 with `{"error","message"}`: a blocked or taken-down account is not a glitch. */
  private throwForStatus(response: HttpResponse, what: string): void {
    const error = response.status === 400 ? xrpcErrorOf(response.body) : null;
    if (error && /^(BlockedActor|BlockedByActor)$/.test(error.error))
      throw new SourceError(ErrorCode.SourceAuthRequired, `${what}: ${error.error}`, 400);
    if (error && /^(AccountTakedown|RepoTakendown|AccountDeactivated)$/.test(error.error))
      throw new SourceError(ErrorCode.SourceGone, `${what}: ${error.error}`, 400);
    throwForStatus(response, what);
  }
}

/** The post with its proof of authorship when one could be had; null for a post of an unexpected shape. */
async function proven(
  view: PostView,
  artifacts: RawArtifact[],
  prover: BlueskyProver,
): Promise<FetchedPost | null> {
  const content = postToContent(view);
  if (!content) return null;
  const rkey = view.uri.slice(view.uri.lastIndexOf('/') + 1);
  const proof = await prover.prove(rkey, view.cid);
  if (proof.kind === 'proven') {
    // the CID matched, so the record is the signed one; an AppView that names it but shows other words lies
    const signed = proof.record;
    if (signed.text !== view.record.text || toUtcTimestamp(signed.createdAt as string) !== content.authoredAt)
      throw invalid(
        `Bluesky post ${view.uri}`,
        "the AppView's words or time differ from the signed record's",
      );
    return { content, artifacts: [...artifacts, ...proof.artifacts], evidenceLevel: 'platform-signed' };
  }
  return { content, artifacts, evidenceLevel: 'captured' };
}
