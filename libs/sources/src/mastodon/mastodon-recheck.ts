import { type StatementContent, sourceFailureMessage } from '@app/core';
import {
  type FetchedPost,
  type PostAnswer,
  type PostRef,
  type RawArtifact,
  type ResolvedAccount,
} from '../connector';
import { type HttpResponse, responseArtifacts } from '../http';
import { type MastodonEditHistoryReader } from './mastodon-edit-history';
import { type MastodonStatus } from './mastodon-entities';
import { type MastodonParsing } from './mastodon-parsing';
import { MASTODON_ID } from './mastodon-ids';

/**
 * Most ids one `GET /api/v1/statuses?id[]=` may carry: Mastodon answers 422 (Mastodon::ValidationError) above
 * its DEFAULT_STATUSES_LIMIT of 20, and 20 ids keep the URL far below any proxy's line limit.
 */
export const MASTODON_BATCH_LIMIT = 20;

export interface MastodonRecheckOptions {
  /** GET with the connector's headers; throws SourceError when no response came */
  get(url: URL): Promise<HttpResponse>;
  origin: string;
  host: string;
  /** most single lookups one call may make, so an old server without the batch route is not flooded */
  maxSingleLookups: number;
  /** reads the edit history of posts that show an edit we missed */
  history: MastodonEditHistoryReader;
  /** where answers are read and statuses become statements: a worker thread for big ones, as for pages */
  parsing: Pick<MastodonParsing, 'readBatch' | 'readStatus' | 'convert'>;
}

/** A status a batch answered with, and the statement it shows when it is the account's own. */
interface BatchStatus {
  status: MastodonStatus;
  content: StatementContent | null;
}

/** What one batch request showed for its chunk of ids. */
type BatchOutcome =
  | { kind: 'statuses'; statuses: Map<string, BatchStatus>; artifacts: RawArtifact[] }
  /** the server has no batch route (before 4.3) or refuses this many ids: ask one by one */
  | { kind: 'unsupported' }
  /** the server requires a login to read statuses (limited federation) */
  | { kind: 'login-wall'; httpStatus: number; detail: string; artifacts: RawArtifact[] }
  /** nothing was learned (429, 5xx, timeout, garbage): every ref of the chunk is unknown */
  | { kind: 'failed'; detail: string };

/**
 * Re-reads known posts of one Mastodon account: batches of ids first, then a single lookup for every id a
 * batch left out (omitted means deleted, private, or never there: the single lookup gives the answer to keep).
 */
export class MastodonRecheck {
  private batchSupported = true;
  /** a login wall met by one batch stands for the whole call: the other chunks would meet it too */
  private loginWall: BatchOutcome | null = null;
  private singleLookups = 0;
  /** set after a timeout, a connection error or a 429: the host gets no more requests in this call */
  private hostTrouble: string | null = null;
  /** the statuses found, by id, for reading the edit history of those that need it */
  private readonly foundStatuses = new Map<string, MastodonStatus>();

  constructor(
    private readonly account: ResolvedAccount,
    private readonly options: MastodonRecheckOptions,
  ) {}

  async run(refs: PostRef[]): Promise<PostAnswer[]> {
    const answers = new Array<PostAnswer | undefined>(refs.length);
    const lookUpOneByOne: number[] = [];
    const valid = refs.flatMap((ref, index) => {
      if (MASTODON_ID.test(ref.postId)) return [index];
      answers[index] = unknown(ref, `${ref.postId} is not a Mastodon status id`);
      return [];
    });
    for (const chunk of chunksOf(valid, MASTODON_BATCH_LIMIT)) {
      if (!this.batchSupported) {
        lookUpOneByOne.push(...chunk);
        continue;
      }
      const outcome = await this.readBatch(chunk.map((index) => refs[index].postId));
      for (const index of chunk) {
        const answer = this.answerFromBatch(refs[index], outcome);
        if (answer) answers[index] = answer;
        else lookUpOneByOne.push(index);
      }
    }
    for (const index of lookUpOneByOne) answers[index] = await this.lookUp(refs[index]);
    const complete = answers.map((answer, index) => answer ?? unknown(refs[index], 'not re-read'));
    return this.withEditHistories(complete);
  }

  /**
   * Attaches the edit history to every found post that shows an edit since the version we hold. A history our own
   * load refused is thrown on, as every request of the re-check is: the re-check is put off whole and asks again.
   */
  private async withEditHistories(answers: PostAnswer[]): Promise<PostAnswer[]> {
    const out: PostAnswer[] = [];
    for (const answer of answers) {
      const status = answer.kind === 'found' ? this.foundStatuses.get(answer.ref.postId) : undefined;
      out.push(
        answer.kind === 'found' && status
          ? { ...answer, post: await this.options.history.attach(status, answer.post, answer.ref.held) }
          : answer,
      );
    }
    return out;
  }

  /** The answer a batch gives for one ref, or null when a single lookup must decide. */
  private answerFromBatch(ref: PostRef, outcome: BatchOutcome): PostAnswer | null {
    switch (outcome.kind) {
      case 'unsupported':
        return null;
      case 'failed':
        return unknown(ref, outcome.detail);
      case 'login-wall':
        return {
          kind: 'unavailable',
          ref,
          reason: 'login-wall',
          detail: outcome.detail,
          httpStatus: outcome.httpStatus,
          evidence: outcome.artifacts,
        };
      case 'statuses': {
        const read = outcome.statuses.get(ref.postId);
        if (!read) return null;
        if (!read.content) return this.foreign(ref, read.status);
        return this.found(ref, read.status, read.content, outcome.artifacts);
      }
    }
  }

  private async readBatch(ids: string[]): Promise<BatchOutcome> {
    if (this.hostTrouble)
      return { kind: 'failed', detail: `not asked after an earlier failure: ${this.hostTrouble}` };
    if (this.loginWall) return this.loginWall;
    const url = new URL('/api/v1/statuses', this.options.origin);
    for (const id of new Set(ids)) url.searchParams.append('id[]', id);
    const what = `Mastodon ${this.options.host} batch lookup of ${ids.length} statuses`;
    let response: HttpResponse;
    try {
      response = await this.options.get(url);
    } catch (error) {
      return { kind: 'failed', detail: this.noteTrouble(error, what) };
    }
    const { status } = response;
    // before 4.3 there is no such route (404); a server with a lower id limit answers 422
    if (status === 400 || status === 404 || status === 405 || status === 422) {
      this.batchSupported = false;
      return { kind: 'unsupported' };
    }
    if (status === 401 || status === 403) {
      const detail = `${this.options.host} requires authentication to read statuses (HTTP ${status})`;
      this.loginWall = { kind: 'login-wall', httpStatus: status, detail, artifacts: artifactsOf(response) };
      return this.loginWall;
    }
    if (status === 429) this.hostTrouble = `${what}: HTTP 429 (rate limited)`;
    if (status < 200 || status > 299) return { kind: 'failed', detail: `${what}: HTTP ${status}` };
    return this.outcomeOfBatch(response, what);
  }

  /**
   * The statuses of a batch answer, the account's own turned into statements in one go: the parse thread's
   * threshold then weighs their HTML together, as for a page (one at a time, 20 statuses of 255 KB would each
   * stay in this thread).
   */
  private async outcomeOfBatch(response: HttpResponse, what: string): Promise<BatchOutcome> {
    let list: MastodonStatus[] | null;
    let ours: MastodonStatus[];
    let contents: StatementContent[];
    try {
      list = await this.options.parsing.readBatch(response.body, what);
      // a 200 that is not a list is some other route answering: the batch route is not there
      if (list === null) {
        this.batchSupported = false;
        return { kind: 'unsupported' };
      }
      ours = list.filter((status) => this.isOurs(status));
      contents = await this.options.parsing.convert(ours, this.options.host);
    } catch (error) {
      return { kind: 'failed', detail: sourceFailureMessage(error) };
    }
    const statuses = new Map<string, BatchStatus>(
      list.map((status) => [status.id, { status, content: null }]),
    );
    ours.forEach((status, i) => statuses.set(status.id, { status, content: contents[i] }));
    return { kind: 'statuses', statuses, artifacts: artifactsOf(response) };
  }

  /** One `GET /api/v1/statuses/:id`: the platform's own answer for a post the batch left out. */
  private async lookUp(ref: PostRef): Promise<PostAnswer> {
    if (this.hostTrouble) return unknown(ref, `not asked after an earlier failure: ${this.hostTrouble}`);
    if (this.singleLookups >= this.options.maxSingleLookups) {
      return unknown(ref, `not asked: at most ${this.options.maxSingleLookups} single lookups per re-check`);
    }
    this.singleLookups += 1;
    const what = `Mastodon ${this.options.host} status ${ref.postId}`;
    let response: HttpResponse;
    try {
      response = await this.options.get(
        new URL(`/api/v1/statuses/${encodeURIComponent(ref.postId)}`, this.options.origin),
      );
    } catch (error) {
      return unknown(ref, this.noteTrouble(error, what));
    }
    return this.answerFromLookup(ref, response, what);
  }

  private async answerFromLookup(ref: PostRef, response: HttpResponse, what: string): Promise<PostAnswer> {
    const { status: httpStatus } = response;
    if (httpStatus >= 200 && httpStatus <= 299) return this.statusFromLookup(ref, response, what);
    // Mastodon answers this 404 alike for a deleted post and for one made private since: the platform's word
    // that the post is not there, which the deletion state machine confirms over time before calling it deleted
    if (httpStatus === 404) return { kind: 'not-found', ref, httpStatus, evidence: artifactsOf(response) };
    if (httpStatus === 410) return { kind: 'gone', ref, httpStatus, evidence: artifactsOf(response) };
    if (httpStatus === 401 || httpStatus === 403) {
      return {
        kind: 'unavailable',
        ref,
        reason: 'private',
        detail: `${what}: HTTP ${httpStatus}, not readable without a login`,
        httpStatus,
        evidence: artifactsOf(response),
      };
    }
    if (httpStatus === 429) this.hostTrouble = `${what}: HTTP 429 (rate limited)`;
    return unknown(ref, `${what}: HTTP ${httpStatus}`);
  }

  private async statusFromLookup(ref: PostRef, response: HttpResponse, what: string): Promise<PostAnswer> {
    let status: MastodonStatus;
    try {
      status = await this.options.parsing.readStatus(response.body, what);
    } catch (error) {
      return unknown(ref, sourceFailureMessage(error));
    }
    if (status.id !== ref.postId)
      return unknown(ref, `${what}: the server answered with status ${status.id}`);
    if (!this.isOurs(status)) return this.foreign(ref, status);
    let content: StatementContent;
    try {
      [content] = await this.options.parsing.convert([status], this.options.host);
    } catch (error) {
      return unknown(ref, sourceFailureMessage(error));
    }
    return this.found(ref, status, content, artifactsOf(response));
  }

  private isOurs(status: MastodonStatus): boolean {
    return status.account.id === this.account.externalId;
  }

  /** A status of another account is a server answering wrongly: no evidence either way. */
  private foreign(ref: PostRef, status: MastodonStatus): PostAnswer {
    return unknown(
      ref,
      `Mastodon ${this.options.host} answered status ${status.id} as a post of account ${status.account.id}, not ${this.account.externalId}`,
    );
  }

  private found(
    ref: PostRef,
    status: MastodonStatus,
    content: StatementContent,
    artifacts: RawArtifact[],
  ): PostAnswer {
    this.foundStatuses.set(status.id, status);
    const post: FetchedPost = {
      content: { ...content, account: this.account.handle },
      artifacts,
      evidenceLevel: 'captured',
    };
    return { kind: 'found', ref, post };
  }

  /** A request that got no response: its message, remembered so that this call leaves the host alone. */
  private noteTrouble(error: unknown, what: string): string {
    // our own load refusing the request is not the host's trouble: it is thrown on, and the re-check put off
    this.hostTrouble = `${what}: ${sourceFailureMessage(error)}`;
    return this.hostTrouble;
  }
}

function artifactsOf(response: HttpResponse): RawArtifact[] {
  return responseArtifacts(response, 'response', 'application/json');
}

function unknown(ref: PostRef, detail: string): PostAnswer {
  return { kind: 'unknown', ref, detail };
}

function chunksOf<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
