import { jsonDepthExceeds, parseBoundedJson } from './json-depth';

describe('jsonDepthExceeds', () => {
  it('counts arrays and objects opened within one another, not one after another', () => {
    expect(jsonDepthExceeds('{"a":[1,{"b":[]}]}', 4)).toBe(false);
    expect(jsonDepthExceeds('{"a":[1,{"b":[]}]}', 3)).toBe(true);
    expect(jsonDepthExceeds('[[],[],[],{},{}]', 2)).toBe(false);
  });

  it('does not count brackets inside strings or after escaped quotes', () => {
    expect(jsonDepthExceeds(`{"url":"${'['.repeat(1000)}"}`, 1)).toBe(false);
    expect(jsonDepthExceeds(`{"a":"\\"${'{'.repeat(1000)}"}`, 1)).toBe(false);
    expect(jsonDepthExceeds('["\\u0022[[[["]', 1)).toBe(false);
    // the string ends at the quote after an escaped backslash: the brackets after it count
    expect(jsonDepthExceeds(`["\\\\",${'['.repeat(3)}]]]]`, 3)).toBe(true);
  });

  it('leaves malformed text to the parser: an unclosed string hides what follows, a stray byte does not', () => {
    expect(jsonDepthExceeds('"never closed [[[[[[', 1)).toBe(false);
    expect(jsonDepthExceeds(`x${'['.repeat(10)}`, 5)).toBe(true);
  });
});

describe('parseBoundedJson', () => {
  it('parses JSON within the bound, and names what it refuses', () => {
    expect(parseBoundedJson('{"a":[1]}', 2)).toEqual({ kind: 'value', value: { a: [1] } });
    expect(parseBoundedJson('{"a":[1]}', 1)).toEqual({ kind: 'too-deep' });
    expect(parseBoundedJson('{"a":', 2)).toEqual({ kind: 'not-json' });
  });
});
