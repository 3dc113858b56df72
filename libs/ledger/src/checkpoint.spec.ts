import { fromBase64, toBase64 } from './bytes';
import { formatCheckpoint, parseCheckpoint } from './checkpoint';
import { LedgerFormatError } from './errors';

const ROOT_B64 = 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=';
const SPEC_BODY = `example.com/behind-the-sofa\n20852163\n${ROOT_B64}\n`;

describe('tlog-checkpoint', () => {
  it('parses and re-formats the spec example body', () => {
    const checkpoint = parseCheckpoint(SPEC_BODY);
    expect(checkpoint).toEqual({
      origin: 'example.com/behind-the-sofa',
      size: 20852163,
      rootHash: fromBase64(ROOT_B64),
    });
    expect(formatCheckpoint(checkpoint)).toBe(SPEC_BODY);
  });

  it('keeps extension lines', () => {
    const text = `${SPEC_BODY}ext one\next two\n`;
    const checkpoint = parseCheckpoint(text);
    expect(checkpoint.extensions).toEqual(['ext one', 'ext two']);
    expect(formatCheckpoint(checkpoint)).toBe(text);
  });

  it('formats the empty tree as size 0', () => {
    const rootHash = fromBase64('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
    expect(formatCheckpoint({ origin: 'o', size: 0, rootHash })).toBe(`o\n0\n${toBase64(rootHash)}\n`);
  });

  it.each([
    ['no final newline', SPEC_BODY.slice(0, -1)],
    ['two lines', 'example.com/x\n1\n'],
    ['an empty origin', `\n1\n${ROOT_B64}\n`],
    ['a leading zero', `o\n01\n${ROOT_B64}\n`],
    ['a sign', `o\n+1\n${ROOT_B64}\n`],
    ['a negative size', `o\n-1\n${ROOT_B64}\n`],
    ['a size beyond 2^53', `o\n18446744073709551615\n${ROOT_B64}\n`],
    ['a short root', `o\n1\n${toBase64(new Uint8Array(31))}\n`],
    ['unpadded base64', `o\n1\n${ROOT_B64.slice(0, -1)}\n`],
    ['an empty extension line', `${SPEC_BODY}\n`],
    ['a carriage return', `o\r\n1\n${ROOT_B64}\n`],
  ])('rejects %s', (_what, text) => {
    expect(() => parseCheckpoint(text)).toThrow(LedgerFormatError);
  });

  it('refuses to format an invalid checkpoint', () => {
    expect(() => formatCheckpoint({ origin: '', size: 1, rootHash: new Uint8Array(32) })).toThrow(
      LedgerFormatError,
    );
    expect(() => formatCheckpoint({ origin: 'o', size: 1.5, rootHash: new Uint8Array(32) })).toThrow(
      LedgerFormatError,
    );
    expect(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: new Uint8Array(8) })).toThrow(
      LedgerFormatError,
    );
    expect(() => formatCheckpoint({ origin: 'o\nx', size: 1, rootHash: new Uint8Array(32) })).toThrow(
      LedgerFormatError,
    );
  });
});
