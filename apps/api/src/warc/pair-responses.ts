import { type CaptureArtifactLink } from '@app/persistence';

/** A kept response: its status line and headers as received, and its body, as one WARC response record. */
export interface KeptResponse {
  head: CaptureArtifactLink;
  body: CaptureArtifactLink;
}

const HEAD_SUFFIX = '-head';
const RESPONSE_HEAD = 'response-head';

/**
 * Pairs each kept response head with the body it was received with. A head of role `X-head` belongs to the
 * body of role `X` (`edit-history-head` → `edit-history`); the plain `response-head` to the body of any role
 * without a head role of its own (response, feed, page). When the links know the URL that answered, head and
 * body must share it. Bodies left without a head (media, proofs) come back as `resources`.
 */
export function pairResponses(artifacts: readonly CaptureArtifactLink[]): {
  responses: KeptResponse[];
  resources: CaptureArtifactLink[];
} {
  const heads = artifacts.filter((a) => a.role.endsWith(HEAD_SUFFIX));
  const bodies = artifacts.filter((a) => !a.role.endsWith(HEAD_SUFFIX));
  const headedRoles = new Set(heads.map((h) => h.role.slice(0, -HEAD_SUFFIX.length)));
  const claimed = new Set<CaptureArtifactLink>();
  const responses: KeptResponse[] = [];
  for (const head of heads) {
    const ownRole = head.role.slice(0, -HEAD_SUFFIX.length);
    const body = bodies.find(
      (b) =>
        !claimed.has(b) &&
        (b.role === ownRole || (head.role === RESPONSE_HEAD && !headedRoles.has(b.role))) &&
        (head.url === null || b.url === null || head.url === b.url),
    );
    if (!body) continue;
    claimed.add(body);
    responses.push({ head, body });
  }
  return { responses, resources: bodies.filter((b) => !claimed.has(b)) };
}
