/**
 * Message ids in a channel count up one by one, and the web preview lists every message that still exists
 * (service messages and each member of an album included). An id missing between two listed ones is a message
 * that was deleted: the cheap deletion signal, to be confirmed by reading the post itself.
 *
 * Returns the ids absent from `listed` between its lowest and highest, ascending, at most `limit` of them (a
 * channel that deleted thousands of messages at once needs no list that long to be noticed).
 */
export function findIdGaps(listed: Iterable<number>, limit = 1000): number[] {
  const ids = [...new Set(listed)].filter((id) => Number.isSafeInteger(id) && id > 0).sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let i = 1; i < ids.length && gaps.length < limit; i++) {
    for (let missing = ids[i - 1] + 1; missing < ids[i] && gaps.length < limit; missing++) gaps.push(missing);
  }
  return gaps;
}

/**
 * Gaps that matter to the archive: ids we hold (`known`) that the listing skipped although it showed ids on
 * both sides of them. A gap among ids we never held is a message deleted before we saw it.
 */
export function knownIdsMissingFromListing(listed: Iterable<number>, known: Iterable<number>): number[] {
  const shown = new Set(listed);
  if (shown.size < 2) return [];
  const lowest = Math.min(...shown);
  const highest = Math.max(...shown);
  return [...new Set(known)]
    .filter((id) => id > lowest && id < highest && !shown.has(id))
    .sort((a, b) => a - b);
}
