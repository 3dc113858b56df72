import {
  contentSha256,
  printable,
  latestSightingPerPost,
  mapInSlices,
  sha256Hex,
  withoutNulCharacters,
  type EvidenceLevel,
  type StatementContent,
} from '@app/core';
import { type PreparedArtifact, type PreparedPost } from '@app/persistence';

type FoundArtifact = { role: string; mediaType: string; bytes: Buffer; url?: string };

/** The most of an incomplete history's reason kept with the version (the log line has the rest). */
const MAX_GAP_DETAIL = 500;

/** A post as a connector hands it over (structurally a FetchedPost). */
export interface FoundPost {
  content: StatementContent;
  artifacts: FoundArtifact[];
  evidenceLevel: EvidenceLevel;
  history?:
    | {
        kind: 'read';
        versions: { content: StatementContent; artifacts: FoundArtifact[] }[];
        truncated?: string;
        /** the index of the version the edits left out came after */
        truncatedAfter?: number;
      }
    | { kind: 'failed'; detail: string };
}

/** A post that could not be prepared, with the reason a person can read. */
export interface RejectedPost {
  postId: string;
  reason: string;
}

/** Edit histories that were not read (the post kept without them), and those cut short (some versions left out). */
export interface HistoryNotes {
  unread: RejectedPost[];
  truncated: RejectedPost[];
}

/**
 * Makes found posts ready for the database, outside any transaction: one sighting per post, U+0000
 * replaced, content and artifacts hashed (each distinct body once, however many posts share it). A post
 * whose content cannot be canonicalized (a lone surrogate, say) is rejected alone; the others go on.
 * An edit history is best effort: one that was not read, or cannot be prepared, is reported in
 * `histories.unread` and the post is kept without it; one read with versions left out is kept and reported in
 * `histories.truncated`. Either way a `historyGap` marks the version the missing edits came before: the post's
 * own for a history not read, the first after the edits left out for one cut short.
 */
export async function preparePosts(found: FoundPost[]): Promise<{
  posts: PreparedPost[];
  rejected: RejectedPost[];
  histories: HistoryNotes;
}> {
  const digests = new Map<Buffer, string>();
  const digestOf = (bytes: Buffer) => {
    let digest = digests.get(bytes);
    if (digest === undefined) digests.set(bytes, (digest = sha256Hex(bytes)));
    return digest;
  };
  const prepare = (content: StatementContent, artifacts: FoundArtifact[]) => {
    const clean = withoutNulCharacters(content);
    return {
      content: clean,
      contentSha256: contentSha256(clean),
      artifacts: artifacts.map((a): PreparedArtifact => ({
        role: a.role,
        mediaType: a.mediaType || 'application/octet-stream',
        size: a.bytes.length,
        sha256: digestOf(a.bytes),
        bytes: a.bytes,
        url: a.url ?? null,
      })),
    };
  };
  const posts: PreparedPost[] = [];
  const rejected: RejectedPost[] = [];
  const histories: HistoryNotes = { unread: [], truncated: [] };
  const sightings = latestSightingPerPost(found, (p) => p.content.postId);
  // in slices, so that a page of 10,000 posts lets the event loop breathe while it is hashed
  await mapInSlices(sightings, (post) => {
    let prepared: PreparedPost;
    try {
      prepared = { ...prepare(post.content, post.artifacts), evidenceLevel: post.evidenceLevel };
    } catch (error) {
      rejected.push({ postId: post.content.postId, reason: (error as Error).message });
      return;
    }
    const unread = (reason: string) => {
      histories.unread.push({ postId: post.content.postId, reason });
      prepared.historyGap = { kind: 'not-read', detail: printable(reason, MAX_GAP_DETAIL) };
    };
    if (post.history?.kind === 'failed') {
      unread(post.history.detail);
    } else if (post.history?.kind === 'read' && post.history.versions.length > 0) {
      try {
        prepared.history = post.history.versions.map((v): PreparedPost => ({
          ...prepare(v.content, v.artifacts),
          // read from the platform by us, like the post; what it shows is the platform's account of the past
          evidenceLevel: 'captured',
          source: 'platform-history',
        }));
      } catch (error) {
        unread((error as Error).message);
      }
      if (prepared.history && post.history.truncated) {
        histories.truncated.push({ postId: post.content.postId, reason: post.history.truncated });
        // on the first version after the edits left out: the one whose diff would hide them
        const after = post.history.truncatedAfter;
        const next = after === undefined ? undefined : prepared.history[after + 1];
        (next ?? prepared).historyGap = {
          kind: 'cut-short',
          // the platform's own times are quoted in it: no NUL or lone surrogate may reach the row
          detail: printable(post.history.truncated, MAX_GAP_DETAIL),
        };
      }
    }
    posts.push(prepared);
  });
  return { posts, rejected, histories };
}
