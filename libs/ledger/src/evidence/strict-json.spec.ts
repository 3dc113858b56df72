import { LedgerFormatError } from '../errors';
import { findDuplicateKey, parseJsonStrict } from './strict-json';

describe('strict JSON', () => {
  it.each([
    ['{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}', null],
    ['{"a":"}{\\"a\\":","b":"a"}', null],
    ['{"a":1,"b":2,"a":3}', 'a'],
    ['{"x":[{"k":1,"k":2}]}', 'k'],
    ['{"a":1,"\\u0061":2}', 'a'],
    ['{"q\\"":1,"q\\"":2}', 'q"'],
    ['[1,"a","a"]', null],
  ])('findDuplicateKey(%s) = %s', (text, expected) => {
    expect(findDuplicateKey(text)).toBe(expected);
  });

  it('refuses duplicate keys and invalid JSON with the name of the document', () => {
    expect(() => parseJsonStrict('{"text":"forged","text":"real"}', 'bundle')).toThrow(
      'bundle repeats the key "text"',
    );
    expect(() => parseJsonStrict('{', 'bundle')).toThrow(LedgerFormatError);
    expect(parseJsonStrict(' {"a" : [1, 2]} ', 'bundle')).toEqual({ a: [1, 2] });
  });
});
