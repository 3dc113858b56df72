import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { canonicalBytes } from './jcs';

// ../shared/vectors sits beside the repository (in CI too); the embedded cases below run everywhere.
const VECTORS = resolve(__dirname, '../../../../shared/vectors/jcs');
const haveVectors = existsSync(join(VECTORS, 'input'));

describe('canonicalBytes (RFC 8785)', () => {
  (haveVectors ? it : it.skip)('turns every reference input into the exact reference output bytes', () => {
    const names = readdirSync(join(VECTORS, 'input')).filter((n) => n.endsWith('.json'));
    expect(names.length).toBeGreaterThanOrEqual(6);
    for (const name of names) {
      const input: unknown = JSON.parse(readFileSync(join(VECTORS, 'input', name), 'utf8'));
      const expected = readFileSync(join(VECTORS, 'output', name));
      expect({ name, bytes: canonicalBytes(input).toString('utf8') }).toEqual({
        name,
        bytes: expected.toString('utf8'),
      });
      expect(canonicalBytes(input).equals(expected)).toBe(true);
    }
  });

  it('sorts keys by UTF-16 code units and writes numbers the ECMAScript way', () => {
    // RFC 8785 §3.2.3: U+20AC (0x20AC) sorts before U+1F600, whose first UTF-16 unit is 0xD83D
    expect(
      canonicalBytes({
        '\u20ac': 'Euro Sign',
        '\r': 'Carriage Return',
        '1': 'One',
        '\ud83d\ude00': 'Emoji',
        '\u00e9': 'e',
      }).toString(),
    ).toBe('{"\\r":"Carriage Return","1":"One","é":"e","€":"Euro Sign","😀":"Emoji"}');
    expect(canonicalBytes([1e21, 1e-7, -0, 333333333.3333333, 0.000001]).toString()).toBe(
      '[1e+21,1e-7,0,333333333.3333333,0.000001]',
    );
    expect(canonicalBytes({ b: [true, null], a: 'x\u0007' }).toString()).toBe(
      '{"a":"x\\u0007","b":[true,null]}',
    );
  });

  it('refuses what JSON cannot carry', () => {
    expect(() => canonicalBytes(Number.NaN)).toThrow();
    expect(() => canonicalBytes({ a: Infinity })).toThrow();
    expect(() => canonicalBytes('\ud83d')).toThrow();
    expect(() => canonicalBytes({ text: ['ok', 'tail \udc00'] })).toThrow(/lone surrogate/);
  });

  it('keeps text that merely spells a surrogate escape', () => {
    expect(canonicalBytes('\\ud83d').toString()).toBe('"\\\\ud83d"');
    expect(canonicalBytes('\ud83d\ude00').toString()).toBe('"😀"');
  });
});
