/**
 * How to find the newest matches of a full-text query between dates (any other search walks blocks of capture
 * order instead, see migrations SearchCaptureBlocks and SearchFilterWords), chosen per query from an estimate of
 * how many statements match: the density of matches the first walk over the newest statements saw (PostgreSQL's
 * own estimate knows only its most common lexemes, and guessed rare words as mid-frequency ones). No single plan is fast for every term: walking capture order and filtering costs
 * rows/selectivity, collecting every match costs a heap visit per match. Costs below are in one unit, measured
 * relative to each other with EXPLAIN ANALYZE on the benchmark's archive (`npm run bench:search`).
 *
 *   walk      newest first along the seq index, or a filter's own index over it (account, status, platform or
 *             language, then seq), testing each row: for common terms, and for a narrow filter's statements (the
 *             deleted, one account's)
 *   window    the GIN matches AND a seq range (BitmapAnd), sized to hold about two pages of matches: for the
 *             terms in between, where walking reads too many rows and collecting visits too many
 *   collect   every match, then the newest: for rare terms
 * A walk or window that comes up short continues into older, ever larger ranges, so a wrong estimate costs time,
 * never results.
 */
export type SearchPlanKind = 'walk' | 'window' | 'collect';

export interface SearchPlan {
  kind: SearchPlanKind;
  /** seq-range width of the first walk or window (statements in capture order); 0 for collect */
  window: number;
}

/** relative costs: a row walked along the seq index, a heap visit of a match, a GIN match read, a seq index entry */
const WALK_ROW = 0.5;
const HEAP_VISIT = 10;
const GIN_MATCH = 0.16;
const SEQ_ENTRY = 0.034;
/** windows and walks aim at this many pages' worth of matches before they would come up short */
const WALK_MARGIN = 3;
const WINDOW_MARGIN = 2;

/**
 * @param estimatedMatches matches expected in the span, with every filter
 * @param span statements in capture order the search runs over (max seq − min seq + 1)
 * @param wanted rows the page needs (limit + 1)
 * @param walkedShare the share of the span's statements a walk reads: 1 along capture order, less along a
 *        filter's own index (a walk of the deleted statements reads only those). The GIN then reads the postings
 *        of every statement with the words, a filter's or not: the estimated matches divided by this share.
 */
export function chooseSearchPlan(
  estimatedMatches: number,
  span: number,
  wanted: number,
  walkedShare = 1,
): SearchPlan {
  const matches = Math.max(1, Math.min(estimatedMatches, span));
  const share = Math.min(1, Math.max(walkedShare, 1 / span));
  const postings = Math.min(span, matches / share) * GIN_MATCH;
  const collect = matches * HEAP_VISIT + postings;
  const walkRows = Math.ceil((WALK_MARGIN * wanted * span) / matches);
  const walk = (wanted * span * share * WALK_ROW) / matches;
  const windowRows = Math.ceil((WINDOW_MARGIN * wanted * span) / matches);
  const window = postings + windowRows * share * SEQ_ENTRY + WINDOW_MARGIN * wanted * HEAP_VISIT;
  const best = Math.min(collect, walk, window);
  if (best === collect || Math.min(walkRows, windowRows) >= span) return { kind: 'collect', window: 0 };
  return best === walk ? { kind: 'walk', window: walkRows } : { kind: 'window', window: windowRows };
}
