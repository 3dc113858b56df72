import { Matches } from 'class-validator';

/** a keyword of spaces or combining marks alone folds to nothing (foldForMatching) and would never match */
const SOMETHING_TO_MATCH = /[^\s\p{M}]/u;

export const KEYWORD_MATCHES_NOTHING =
  'keywords: each needs a letter, digit or sign to match; spaces alone match nothing';

/** Whether `keyword` folds to nothing, so that no text could ever match it. */
export function matchesNothing(keyword: string): boolean {
  return !SOMETHING_TO_MATCH.test(keyword);
}

/** The same check for a body's list of keywords: each one must have something to match. */
export function EachKeywordMatchesSomething(): PropertyDecorator {
  return Matches(SOMETHING_TO_MATCH, { each: true, message: KEYWORD_MATCHES_NOTHING });
}
