import { ErrorCode, VerbatimError } from '@app/core';

/**
 * The search box's syntax, parsed here and turned into a tsquery by the database (which owns stemming):
 *   words            every word must match, in any of its forms (`министра` finds `министр`)
 *   "a phrase"       the words next to each other, in this order
 *   prefix*          any word starting with it (at least PREFIX_MIN letters), compared as written
 *   -word, -"a b"    must not match
 *   a OR b           either (binds tighter than the implicit AND, as in web search engines)
 * Case and accents never count.
 */
export interface SearchTerm {
  kind: 'words' | 'phrase' | 'prefix';
  /** for `prefix`: runs of letters, digits and combining marks, the last one being the prefix */
  text: string;
  negated: boolean;
}

/** AND of groups; each group is an OR of terms. */
export type SearchQuery = SearchTerm[][];

const PREFIX_MIN = 3;
/** bounds the work one query can ask of the index */
const MAX_TERMS = 16;
/** a letter or digit, then letters, digits and combining marks (Devanagari's vowel signs are marks, not letters) */
const WORD_CHARS = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu;

function invalid(message: string): VerbatimError {
  return new VerbatimError(ErrorCode.InvalidInput, `q: ${message}`);
}

export function parseSearchQuery(text: string): SearchQuery {
  // composed (NFC), as platforms send text: `й` typed as `и` and a combining breve would lose the breve to unaccent
  const q = text.normalize('NFC');
  const groups: SearchTerm[][] = [];
  let orPending = false;
  // a token: optional '-', then a "quoted phrase" (closing quote optional) or a run of non-spaces
  const token = /(-?)(?:"([^"]*)"?|(\S+))/gu;
  for (const match of q.matchAll(token)) {
    const [, minus, phrase, bare] = match;
    if (phrase === undefined && bare === 'OR' && !minus) {
      orPending = groups.length > 0;
      continue;
    }
    const term = termOf(phrase, bare, minus === '-');
    if (!term) continue;
    if (orPending) groups[groups.length - 1].push(term);
    else groups.push([term]);
    orPending = false;
  }
  const terms = groups.flat();
  if (terms.length === 0) throw invalid('give at least one word to search for');
  if (terms.length > MAX_TERMS) throw invalid(`use at most ${MAX_TERMS} words, phrases or prefixes`);
  // an OR group with a negated alternative would match nearly everything: refuse rather than guess
  if (groups.some((g) => g.length > 1 && g.some((t) => t.negated)))
    throw invalid('-excluded terms cannot be combined with OR');
  if (groups.every((g) => g[0].negated)) throw invalid('give at least one word that is not -excluded');
  return groups;
}

function termOf(phrase: string | undefined, bare: string | undefined, negated: boolean): SearchTerm | null {
  if (phrase !== undefined) {
    const words = phrase.match(WORD_CHARS);
    return words ? { kind: 'phrase', text: words.join(' '), negated } : null;
  }
  const raw = bare ?? '';
  const words = raw.match(WORD_CHARS);
  if (!words) return null;
  if (raw.endsWith('*')) {
    if (words[words.length - 1].length < PREFIX_MIN)
      throw invalid(`a prefix search needs at least ${PREFIX_MIN} letters before the * ("${raw}")`);
    return { kind: 'prefix', text: words.join(' '), negated };
  }
  return { kind: 'words', text: raw, negated };
}

/**
 * A SQL expression for the query's tsquery; its values are appended to `params`. Words and phrases take every
 * form the language configurations give them (`verbatim_query`, see the SearchLanguages migration); a prefix
 * is matched against the plain words only, since a stemmer would cut a prefix at the wrong place.
 */
export function tsqueryExpression(
  query: SearchQuery,
  language: string | undefined,
  params: unknown[],
): string {
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  let languageParam: string | undefined;
  const languageSql = () => (languageParam ??= param(language ?? null));
  const termSql = (term: SearchTerm) => {
    const sql =
      term.kind === 'prefix'
        ? // letters, digits and marks only, so safe in to_tsquery's syntax; the last run is the prefix
          `to_tsquery('verbatim_simple', ${param(term.text.split(' ').join(' & ') + ':*')})`
        : `verbatim_query(${param(term.text)}, ${languageSql()}::text, ${term.kind === 'phrase'})`;
    return term.negated ? `(!! ${sql})` : sql;
  };
  return query.map((group) => `(${group.map(termSql).join(' || ')})`).join(' && ');
}
