import { LedgerFormatError } from '../errors';
import {
  BYTE_ORDER_MARK_NOTE,
  decodeBundleBytes,
  stripByteOrderMark,
  unreadableBundleReason,
} from './bundle-text';
import { characterCount, firstCharacters, quoted, shown } from './display';

const JSON_TEXT = '{\r\n  "format": "verbatim-evidence/v1",\r\n  "text": "Київ ✓"\r\n}\r\n';

function utf16(text: string, endian: 'le' | 'be'): Uint8Array {
  const bytes = new Uint8Array(2 + text.length * 2);
  bytes.set(endian === 'le' ? [0xff, 0xfe] : [0xfe, 0xff]);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const [first, second] = endian === 'le' ? [unit & 0xff, unit >> 8] : [unit >> 8, unit & 0xff];
    bytes[2 + i * 2] = first;
    bytes[3 + i * 2] = second;
  }
  return bytes;
}

describe('reading a bundle file', () => {
  it('strips a leading byte-order mark, with a note, and nothing else', () => {
    expect(stripByteOrderMark(`\uFEFF${JSON_TEXT}`)).toEqual({
      text: JSON_TEXT,
      remarks: [BYTE_ORDER_MARK_NOTE],
    });
    expect(stripByteOrderMark(JSON_TEXT)).toEqual({ text: JSON_TEXT, remarks: [] });
    // one mark: a second one is part of the text
    expect(stripByteOrderMark('\uFEFF\uFEFF{}').text).toBe('\uFEFF{}');
  });

  it('decodes UTF-8 with or without a mark, keeping CRLF as it is (whitespace between tokens)', () => {
    const bytes = new TextEncoder().encode(JSON_TEXT);
    expect(decodeBundleBytes(bytes)).toEqual({ text: JSON_TEXT, remarks: [] });
    const marked = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);
    expect(decodeBundleBytes(marked)).toEqual({ text: JSON_TEXT, remarks: [BYTE_ORDER_MARK_NOTE] });
  });

  it('decodes UTF-16 with its mark, either byte order, saying so', () => {
    for (const endian of ['le', 'be'] as const) {
      const { text, remarks } = decodeBundleBytes(utf16(JSON_TEXT, endian));
      expect(text).toBe(JSON_TEXT);
      expect(remarks).toEqual([
        {
          level: 'note',
          text: expect.stringMatching(
            new RegExp(`^The file is UTF-16${endian.toUpperCase()} text with a byte-order mark`),
          ),
        },
      ]);
    }
  });

  it('refuses bytes that are not UTF-8, naming the offset of the first bad one', () => {
    // "é" as Windows-1252 writes it (0xE9), after a valid U+FFFD the file itself holds
    const bytes = new Uint8Array([...new TextEncoder().encode('{"a":"\uFFFD'), 0xe9, 0x22, 0x7d]);
    expect(() => decodeBundleBytes(bytes)).toThrow(LedgerFormatError);
    expect(() => decodeBundleBytes(bytes)).toThrow(/^it is not UTF-8 text \(the byte at offset 9 /);
  });

  it.each([
    ['', 'it is empty'],
    [' \r\n', 'it is empty'],
    ['<html>502 Bad Gateway</html>', /^it is not JSON \(Unexpected token/],
    ['{"format": "verbatim-evidence/v1",', /^it is not JSON \(/],
    ['<b>\u001b[2J</b>', /^it is not JSON \(.*\\u001b\[2J/],
    ['[]', 'it is JSON, but not an evidence bundle (no "format" field)'],
    [
      '{"statusCode":404,"message":"Not Found"}',
      'it is JSON, but not an evidence bundle (no "format" field)',
    ],
  ])('calls %j no bundle at all: %s', (text, reason) => {
    const said = unreadableBundleReason(text);
    if (typeof reason === 'string') expect(said).toBe(reason);
    else expect(said).toMatch(reason);
    expect([...(said ?? '')].some((char) => char.charCodeAt(0) < 0x20)).toBe(false);
  });

  it('leaves anything with a format to the verifier, a byte-order mark read through', () => {
    expect(unreadableBundleReason('{"format":"verbatim-evidence/v2"}')).toBeNull();
    expect(unreadableBundleReason('\uFEFF{"format":1,"format":2}')).toBeNull();
  });
});

describe('showing untrusted text', () => {
  it('quotes as JSON, escaping what a screen hides or reorders too', () => {
    expect(quoted('a\nb\u001b[2J\u0085\u202e\u2028\u200b\uFEFF')).toBe(
      '"a\\nb\\u001b[2J\\u0085\\u202e\\u2028\\u200b\\ufeff"',
    );
    // joiners stay: scripts and emoji need them
    expect(quoted('👩\u200d💻 می\u200cخواهم')).toBe('"👩\u200d💻 می\u200cخواهم"');
  });

  it('shows plain text as it is, anything else quoted', () => {
    expect(shown('https://mastodon.example/@a/1')).toBe('https://mastodon.example/@a/1');
    expect(shown(' padded')).toBe('" padded"');
    expect(shown('')).toBe('""');
    expect(shown('a\u202eb')).toBe('"a\\u202eb"');
  });

  it('counts and cuts by characters, never inside a surrogate pair', () => {
    expect(characterCount('a😀b')).toBe(3);
    expect(firstCharacters('a😀b', 2)).toBe('a😀');
    expect(firstCharacters('ab', 5)).toBe('ab');
  });
});
