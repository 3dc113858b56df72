/**
 * The spans of capture order a search asks the index for, newest first. The index files each statement under
 * the range of every width it falls in (migration SearchByCaptureRanges, which keeps the same widths): a
 * range's key is its width's exponent in the high bits and its number (seq >> bits) below them. A span is
 * RANGES_PER_SPAN neighbouring ranges of one width, asked for in one index scan (`&&`, any of its keys).
 *
 * Spans grow eightfold: 512 statements, then 4,096, 32,768… A common word fills its page from the first span;
 * a rare or absent one costs one index scan per span, five at 1M statements. A search reaches a span only
 * when the spans before it (an eighth of its size together) held less than a page, so the span that fills the
 * page holds at most about eight pages of matches, and far fewer for most words.
 */
export const SEQ_RANGE_BITS = [7, 10, 13, 16, 19, 22, 25] as const;
const RANGES_PER_SPAN = 4;
const KEY_SHIFT = 48n;

export interface SeqSpan {
  /** what the index files the span's ranges under: verbatim_seq_ranges(seq) && keys */
  keys: bigint[];
  /** lower ≤ seq < upper */
  lower: bigint;
  upper: bigint;
}

/** Spans below `upper` (exclusive) down to seq 0, newest first; together they cover [0, upper) once. */
export function searchSpans(upper: bigint): SeqSpan[] {
  const spans: SeqSpan[] = [];
  let top = upper;
  for (const [index, bits] of SEQ_RANGE_BITS.entries()) {
    const widest = index === SEQ_RANGE_BITS.length - 1;
    const shift = BigInt(bits);
    // the widest width takes as many spans as the archive needs
    while (top > 0n) {
      const span: SeqSpan = { keys: [], lower: top, upper: top };
      while (span.keys.length < RANGES_PER_SPAN && span.lower > 0n) {
        const number = (span.lower - 1n) >> shift;
        span.keys.push((shift << KEY_SHIFT) | number);
        span.lower = number << shift;
      }
      spans.push(span);
      top = span.lower;
      if (!widest) break;
    }
  }
  return spans;
}
