import { SourceError, ErrorCode } from './errors';
import { MAX_MESSAGE_CHARS, printable } from './printable';

describe('printable', () => {
  it('writes control characters as escapes and keeps line breaks, tabs and other text', () => {
    expect(printable('root <r\u0000\u0007\u001b[31m\u007f>')).toBe(
      'root <r\\u0000\\u0007\\u001b[31m\\u007f>',
    );
    expect(printable('line one\nline two\ttab\r\n')).toBe('line one\nline two\ttab\r\n');
    expect(printable('Київ 🇺🇦 é')).toBe('Київ 🇺🇦 é');
  });

  it('escapes lone surrogates and keeps pairs', () => {
    expect(printable('a\uD800b\uDFFFc')).toBe('a\\ud800b\\udfffc');
    expect(printable('\uDFFF\uD800')).toBe('\\udfff\\ud800');
    expect(printable('pair \uD83D\uDE00 end')).toBe('pair \uD83D\uDE00 end');
  });

  it('cuts a long message, and a pair the cut splits leaves no lone surrogate', () => {
    const long = 'x'.repeat(MAX_MESSAGE_CHARS + 500);
    expect(printable(long)).toBe(`${'x'.repeat(MAX_MESSAGE_CHARS)}…`);
    const split = printable(`${'x'.repeat(9)}\uD83D\uDE00`, 10);
    expect(split).toBe(`${'x'.repeat(9)}\\ud83d…`);
  });

  it('is what a domain error carries as its message', () => {
    const error = new SourceError(ErrorCode.SourceInvalidResponse, 'the root element is <a\u0000b>');
    expect(error.message).toBe('the root element is <a\\u0000b>');
  });
});
