import {
  contentSha256,
  latestSightingPerPost,
  mapInSlices,
  sha256Hex,
  withoutNulCharacters,
  type EvidenceLevel,
  type StatementContent,
} from '@app/core';
import { type PreparedArtifact, type PreparedPost } from '@app/persistence';

/** A post as a connector hands it over (structurally a FetchedPost). */
export interface FoundPost {
  content: StatementContent;
  artifacts: { role: string; mediaType: string; bytes: Buffer }[];
  evidenceLevel: EvidenceLevel;
}

/** A post that could not be prepared, with the reason a person can read. */
export interface RejectedPost {
  postId: string;
  reason: string;
}

/**
 * Makes found posts ready for the database, outside any transaction: one sighting per post, U+0000
 * replaced, content and artifacts hashed (each distinct body once, however many posts share it). A post
 * whose content cannot be canonicalized (a lone surrogate, say) is rejected alone; the others go on.
 */
export async function preparePosts(
  found: FoundPost[],
): Promise<{ posts: PreparedPost[]; rejected: RejectedPost[] }> {
  const digests = new Map<Buffer, string>();
  const digestOf = (bytes: Buffer) => {
    let digest = digests.get(bytes);
    if (digest === undefined) digests.set(bytes, (digest = sha256Hex(bytes)));
    return digest;
  };
  const prepared = await mapInSlices(
    latestSightingPerPost(found, (p) => p.content.postId),
    (post): PreparedPost | RejectedPost => {
      try {
        const content = withoutNulCharacters(post.content);
        const artifacts: PreparedArtifact[] = post.artifacts.map((a) => ({
          role: a.role,
          mediaType: a.mediaType || 'application/octet-stream',
          size: a.bytes.length,
          sha256: digestOf(a.bytes),
          bytes: a.bytes,
        }));
        return {
          content,
          contentSha256: contentSha256(content),
          evidenceLevel: post.evidenceLevel,
          artifacts,
        };
      } catch (error) {
        return { postId: post.content.postId, reason: (error as Error).message };
      }
    },
  );
  return {
    posts: prepared.filter((p): p is PreparedPost => 'content' in p),
    rejected: prepared.filter((p): p is RejectedPost => 'reason' in p),
  };
}
