/**
 * Keyword filters for subscriptions: a keyword matches a whole word or phrase of the text, whatever its case
 * and accents, in any script ("Kyiv" matches "KYIV," and "Kýiv"; "санкції" matches "Санкції."), but not part of
 * a longer word ("war" does not match "warship").
 */
export function matchesAnyKeyword(text: string, keywords: readonly string[]): boolean {
  if (keywords.length === 0) return true;
  const haystack = foldForMatching(text);
  return keywords.some((keyword) => containsWord(haystack, foldForMatching(keyword)));
}

/** Lower case without accents or other combining marks (NFD, then marks dropped), white space collapsed. */
export function foldForMatching(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .trim();
}

const WORD_CHARACTER = /[\p{L}\p{N}_]/u;

/** Whether `needle` stands in `haystack` with no letter or digit directly before or after it. Linear per occurrence. */
function containsWord(haystack: string, needle: string): boolean {
  if (needle.length === 0) return false;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    const before = at === 0 ? '' : haystack[at - 1];
    const after = haystack.slice(at + needle.length, at + needle.length + 1);
    if (!WORD_CHARACTER.test(before) && !WORD_CHARACTER.test(after)) return true;
  }
  return false;
}
