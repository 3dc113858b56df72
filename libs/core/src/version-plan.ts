import { decideChange, type KnownStatement } from './capture-decision';

/** What the archive holds of a statement, for placing versions read from a platform's edit history. */
export interface HeldVersions extends KnownStatement {
  /** the content hash of every version we hold */
  contentSha256s: ReadonlySet<string>;
}

/** One version to write: an earlier one from the platform's edit history (by its index), or the current one. */
export type PlannedVersion =
  | { from: 'history'; index: number; version: number; created: boolean }
  | { from: 'current'; version: number; created: boolean };

/**
 * Numbers the versions one sighting adds: the missed edits the platform's history shows (oldest first), then
 * the current version last. A history version is skipped when we already hold its content (the captures we
 * made ourselves, a replay) or when it repeats the one before it; the platform's copy of the current version
 * gives way to our own read of it. Once any missed edit is written the current version follows it, even when
 * its content equals an older version (a reverted edit): the newest version is always the one we read.
 */
export function planVersions(
  held: HeldVersions,
  historySha256s: readonly string[],
  currentSha256: string,
): PlannedVersion[] {
  const missed: { index: number; sha256: string }[] = [];
  let previous = held.latestContentSha256;
  historySha256s.forEach((sha256, index) => {
    if (held.contentSha256s.has(sha256) || sha256 === previous) return;
    missed.push({ index, sha256 });
    previous = sha256;
  });
  if (missed.at(-1)?.sha256 === currentSha256) missed.pop();
  if (missed.length === 0) {
    const change = decideChange(held, currentSha256);
    return change.kind === 'unchanged'
      ? []
      : [{ from: 'current', version: change.version, created: change.kind === 'new' }];
  }
  const planned: PlannedVersion[] = missed.map(({ index }, i) => ({
    from: 'history',
    index,
    version: held.latestVersion + i + 1,
    created: held.latestVersion + i === 0,
  }));
  planned.push({ from: 'current', version: held.latestVersion + missed.length + 1, created: false });
  return planned;
}
