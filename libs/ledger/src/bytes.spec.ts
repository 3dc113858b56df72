import { randomBytes } from 'node:crypto';
import {
  fromBase64,
  fromHex,
  parseCanonicalDecimal,
  toBase64,
  toHex,
  writeUint64BE,
  readUint64BE,
} from './bytes';

describe('bytes helpers', () => {
  it('base64 agrees with Buffer for every length up to 64', () => {
    for (let n = 0; n <= 64; n++) {
      const bytes = new Uint8Array(randomBytes(n));
      const text = Buffer.from(bytes).toString('base64');
      expect(toBase64(bytes)).toBe(text);
      expect(fromBase64(text)).toEqual(bytes);
    }
  });

  it.each(['A', 'AB=', 'AAA=A', 'A===', 'AB\nCD==', 'AB-_', 'AAB=', 'AAAAAB=='])(
    'strict base64 rejects %j',
    (text) => {
      expect(() => fromBase64(text)).toThrow(SyntaxError);
    },
  );

  it('hex round-trips and rejects odd input', () => {
    expect(toHex(fromHex('00ff10Ab'))).toBe('00ff10ab');
    expect(() => fromHex('abc')).toThrow(SyntaxError);
    expect(() => fromHex('zz')).toThrow(SyntaxError);
  });

  it('u64 big-endian', () => {
    expect([...writeUint64BE(1679315147)]).toEqual([0, 0, 0, 0, 0x64, 0x18, 0x50, 0xcb]);
    expect(readUint64BE(writeUint64BE(2 ** 53 - 1))).toBe(2n ** 53n - 1n);
  });

  it('canonical decimals', () => {
    expect(parseCanonicalDecimal('0')).toBe(0);
    expect(parseCanonicalDecimal('120')).toBe(120);
    for (const bad of ['', '00', '01', '-1', '+1', '1e3', ' 1', '9007199254740993']) {
      expect(parseCanonicalDecimal(bad)).toBeNull();
    }
  });
});
