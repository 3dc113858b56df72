import { ARTIFACT_ROLES, SourceError, contentSha256, isLocalOverload, toUtcTimestamp } from '@app/core';
import { type EditHistory, type FetchedPost, type HeldPost, type HistoryVersion } from '../connector';
import { type HttpResponse, responseArtifacts } from '../http';
import { type MastodonStatus, type MastodonStatusEdit } from './mastodon-entities';
import { type MastodonParsing } from './mastodon-parsing';
import { editToContent } from './mastodon-status';

export interface MastodonEditHistoryOptions {
  /** GET with the connector's headers; throws SourceError when no response came */
  get(url: URL): Promise<HttpResponse>;
  origin: string;
  host: string;
  /** most history requests one poll or re-check may make, so a burst of edited posts cannot flood the host */
  maxLookups: number;
  /** most versions one post's history may add, so a history of 50,000 listed edits does not become 50,000 */
  maxVersions: number;
  /** where the history is read and its edits' HTML becomes text: a worker thread for a big one, as for pages */
  parsing: Pick<MastodonParsing, 'readHistory' | 'texts'>;
}

/**
 * Whether a status shows an edit we have not read: it was edited, and its edit time or its content differs
 * from what we hold (a post we hold nothing of counts, when edited before we first read it). Boosts are left
 * alone: their words are another status's.
 */
export function needsEditHistory(status: MastodonStatus, post: FetchedPost, held?: HeldPost): boolean {
  if (status.reblog !== null || status.edited_at === null) return false;
  if (!held) return true;
  return (
    held.editedAt !== toUtcTimestamp(status.edited_at) || held.contentSha256 !== contentSha256(post.content)
  );
}

/**
 * The edits between the version we hold and the current one, oldest first by `created_at`: strictly after
 * our version's edit time (after the original when we hold the unedited post, everything when we hold
 * nothing) and strictly before the status's `edited_at` (the current version, which we read ourselves, and
 * anything edited after the status response was made).
 */
export function missedEdits(
  status: MastodonStatus,
  edits: MastodonStatusEdit[],
  held?: HeldPost,
): { edit: MastodonStatusEdit; original: boolean }[] {
  const sorted = edits
    .map((edit, index) => ({ edit, index, at: Date.parse(edit.created_at) }))
    .sort((a, b) => a.at - b.at || a.index - b.index);
  const after = held ? Date.parse(held.editedAt ?? status.created_at) : -Infinity;
  const before = status.edited_at === null ? -Infinity : Date.parse(status.edited_at);
  return sorted
    .map(({ edit, at }, position) => ({ edit, at, original: position === 0 }))
    .filter(({ at }) => at > after && at < before)
    .map(({ edit, original }) => ({ edit, original }));
}

/**
 * At most `max` (one or more) of the missed edits, when there are more: the first (the one after the version we
 * hold, the original when we hold nothing) and the newest `max - 1`, the words first said and the ones said last;
 * `leftOut` are those between.
 */
export function keptEdits<T>(missed: T[], max: number): { kept: T[]; leftOut: T[] } {
  if (max < 1) throw new RangeError(`at most ${max} edits kept: must be one or more`);
  if (missed.length <= max) return { kept: missed, leftOut: [] };
  const newest = missed.length - (max - 1);
  return { kept: [missed[0], ...missed.slice(newest)], leftOut: missed.slice(1, newest) };
}

/**
 * Reads `GET /api/v1/statuses/:id/history` for posts that show an edit we missed, best effort: a failure of the
 * host becomes a `failed` history with its reason and the post itself is kept as it is. After a timeout, a
 * connection error or a 429 the host gets no more history requests from this reader. A refusal for our own load
 * (`local-overload`) is thrown: the read is put off whole, so the missed edits are asked for again.
 */
export class MastodonEditHistoryReader {
  private lookups = 0;
  private hostTrouble: string | null = null;

  constructor(private readonly options: MastodonEditHistoryOptions) {}

  /** The post with its history attached when it needs one; unchanged otherwise. */
  async attach(status: MastodonStatus, post: FetchedPost, held?: HeldPost): Promise<FetchedPost> {
    if (!needsEditHistory(status, post, held)) return post;
    return { ...post, history: await this.read(status, post, held) };
  }

  private async read(status: MastodonStatus, post: FetchedPost, held?: HeldPost): Promise<EditHistory> {
    const what = `Mastodon ${this.options.host} edit history of status ${status.id}`;
    if (this.hostTrouble) return failed(`${what}: not asked after an earlier failure: ${this.hostTrouble}`);
    if (this.lookups >= this.options.maxLookups)
      return failed(`${what}: not asked: at most ${this.options.maxLookups} history requests per read`);
    this.lookups += 1;
    let response: HttpResponse;
    try {
      response = await this.options.get(
        new URL(`/api/v1/statuses/${encodeURIComponent(status.id)}/history`, this.options.origin),
      );
    } catch (error) {
      // our own load refused it: the whole read is put off and tried again, rather than keep the post without the
      // edits it missed (once held at its latest version, they would not be asked for again)
      if (isLocalOverload(error) || !(error instanceof SourceError)) throw error;
      this.hostTrouble = `${what}: ${error.message}`;
      return failed(this.hostTrouble);
    }
    if (response.status === 429) this.hostTrouble = `${what}: HTTP 429 (rate limited)`;
    if (response.status < 200 || response.status > 299) return failed(`${what}: HTTP ${response.status}`);
    let edits: MastodonStatusEdit[];
    try {
      edits = await this.options.parsing.readHistory(response.body, what);
    } catch (error) {
      // not a history, or refused by the parse deadline: the post is kept without it; our own load puts it off
      if (isLocalOverload(error) || !(error instanceof SourceError)) throw error;
      return failed(error.message);
    }
    const foreign = edits.find((edit) => edit.account.id !== status.account.id);
    if (foreign) return failed(`${what}: an edit by account ${foreign.account.id}`);
    // each version names every byte it was read from: the history response, and the status response that
    // gave its id, URL, times and flags
    const artifacts = [
      ...responseArtifacts(response, ARTIFACT_ROLES.editHistory, 'application/json').map((a) =>
        a.role === ARTIFACT_ROLES.responseHead ? { ...a, role: ARTIFACT_ROLES.editHistoryHead } : a,
      ),
      ...post.artifacts,
    ];
    const { kept: missed, leftOut } = keptEdits(missedEdits(status, edits, held), this.options.maxVersions);
    if (missed.length === 0) return { kind: 'read', versions: [] };
    let texts: string[];
    try {
      texts = await this.options.parsing.texts(
        missed.map(({ edit }) => edit.content),
        what,
      );
    } catch (error) {
      // past the parse deadline: the post is kept without the history, as for a history that does not parse
      if (isLocalOverload(error) || !(error instanceof SourceError)) throw error;
      return failed(error.message);
    }
    // the post's own content is the status's, converted once: each version differs in its words and media only
    const versions = missed.map(({ edit, original }, i): HistoryVersion => ({
      content: editToContent(post.content, edit, texts[i], original),
      artifacts,
    }));
    if (leftOut.length === 0) return { kind: 'read', versions };
    const [first, last] = [leftOut[0].edit.created_at, leftOut[leftOut.length - 1].edit.created_at];
    const kept =
      missed.length === 1 ? 'the first missed edit kept' : 'the first missed edit and the newest kept';
    const truncated =
      `${what}: ${leftOut.length} of ${leftOut.length + missed.length} missed edits left out (made from ` +
      `${first} to ${last}): at most ${this.options.maxVersions} versions a post, ${kept}`;
    // kept: the first missed edit, then the newest; the ones left out came after the first
    return { kind: 'read', versions, truncated, truncatedAfter: 0 };
  }
}

function failed(detail: string): EditHistory {
  return { kind: 'failed', detail };
}
