/** What the archive already holds of a statement: its newest version number (0: none yet) and that version's content hash. */
export interface KnownStatement {
  latestVersion: number;
  latestContentSha256: string | null;
}

/** What a sighting of a post means to the archive. */
export type PostChange =
  { kind: 'new'; version: 1 } | { kind: 'edited'; version: number } | { kind: 'unchanged'; version: number };

/**
 * Decides whether a post we just saw is new, a new version of a statement we hold, or the same as its
 * latest version. Only the content counts: the same post served inside different bytes (a feed that gained
 * an item, a response with another Date header) is not a new version.
 */
export function decideChange(known: KnownStatement, contentSha256: string): PostChange {
  if (known.latestVersion === 0) return { kind: 'new', version: 1 };
  if (known.latestContentSha256 === contentSha256) return { kind: 'unchanged', version: known.latestVersion };
  return { kind: 'edited', version: known.latestVersion + 1 };
}

/**
 * One sighting per post: a batch may name a post twice (a page boundary moved while we paged), and the
 * later sighting is the fresher one. Sorted by post id so that row locks are always taken in one order.
 */
export function latestSightingPerPost<T>(sightings: T[], postIdOf: (sighting: T) => string): T[] {
  const byId = new Map<string, T>();
  for (const sighting of sightings) {
    const id = postIdOf(sighting);
    byId.delete(id);
    byId.set(id, sighting);
  }
  return [...byId.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, sighting]) => sighting);
}
