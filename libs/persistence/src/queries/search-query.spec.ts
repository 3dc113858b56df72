import { ErrorCode } from '@app/core';
import { parseSearchQuery, tsqueryExpression } from './search-query';

describe('parseSearchQuery', () => {
  it('reads words, phrases, prefixes, exclusions and OR groups', () => {
    expect(parseSearchQuery('sanctions "banking sector" bank* -energy a OR b')).toEqual([
      [{ kind: 'words', text: 'sanctions', negated: false }],
      [{ kind: 'phrase', text: 'banking sector', negated: false }],
      [{ kind: 'prefix', text: 'bank', negated: false }],
      [{ kind: 'words', text: 'energy', negated: true }],
      [
        { kind: 'words', text: 'a', negated: false },
        { kind: 'words', text: 'b', negated: false },
      ],
    ]);
  });

  it('keeps only letters and digits of a prefix, so it is safe in to_tsquery', () => {
    expect(parseSearchQuery("o'brie*")).toEqual([[{ kind: 'prefix', text: 'o brie', negated: false }]]);
    const params: unknown[] = [];
    expect(tsqueryExpression(parseSearchQuery("x:*|!'yes)*"), undefined, params)).toBe(
      "(to_tsquery('verbatim_simple', $1))",
    );
    expect(params).toEqual(['x & yes:*']);
  });

  it('reads text composed, and keeps a word’s combining marks in it', () => {
    expect(parseSearchQuery('санкцій'.normalize('NFD'))).toEqual([
      [{ kind: 'words', text: 'санкцій', negated: false }],
    ]);
    // Devanagari's vowel signs and virama are marks: "हिन्दी*" is one word, not four pieces
    expect(parseSearchQuery('हिन्दी*')).toEqual([[{ kind: 'prefix', text: 'हिन्दी', negated: false }]]);
    expect(parseSearchQuery('"हिन्दी भाषा"')).toEqual([
      [{ kind: 'phrase', text: 'हिन्दी भाषा', negated: false }],
    ]);
  });

  it('ignores an unterminated quote and punctuation-only tokens', () => {
    expect(parseSearchQuery('"foreign minister')).toEqual([
      [{ kind: 'phrase', text: 'foreign minister', negated: false }],
    ]);
    expect(parseSearchQuery('— sanctions !')).toEqual([
      [{ kind: 'words', text: 'sanctions', negated: false }],
    ]);
  });

  it.each([
    ['mi*', 'at least 3 letters'],
    ['-energy', 'not -excluded'],
    ['a OR -b', 'cannot be combined with OR'],
    ['— ! ?', 'at least one word'],
  ])('refuses %j with a message saying what to fix', (q, message) => {
    expect(() => parseSearchQuery(q)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
    expect(() => parseSearchQuery(q)).toThrow(message);
  });

  it('passes the language once, only when a word needs it', () => {
    const params: unknown[] = [];
    const sql = tsqueryExpression(parseSearchQuery('a "b c" -d'), 'uk', params);
    expect(sql).toBe(
      '(verbatim_query($1, $2::text, false)) && (verbatim_query($3, $2::text, true)) && ((!! verbatim_query($4, $2::text, false)))',
    );
    expect(params).toEqual(['a', 'uk', 'b c', 'd']);
  });
});
