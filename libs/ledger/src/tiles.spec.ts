import { toHex, utf8 } from './bytes';
import { LedgerFormatError } from './errors';
import { MemoryNodeStore } from './memory-node-store';
import { leafHash, merkleRoot } from './merkle';
import {
  decodeEntryBundle,
  decodeTile,
  encodeEntryBundle,
  encodeTile,
  encodeTileIndex,
  entryBundlePath,
  parseTilePath,
  partialTileWidth,
  tileNodeIds,
  tilePath,
} from './tiles';

describe('tile paths', () => {
  it('encodes indexes in x-prefixed 3-digit groups', () => {
    expect(encodeTileIndex(1234067)).toBe('x001/x234/067');
    expect(encodeTileIndex(0)).toBe('000');
    expect(encodeTileIndex(999)).toBe('999');
    expect(encodeTileIndex(1000)).toBe('x001/000');
    expect(tilePath(0, 1234067)).toBe('tile/0/x001/x234/067');
    expect(tilePath(2, 5, 17)).toBe('tile/2/005.p/17');
    expect(tilePath(1, 5, 256)).toBe('tile/1/005');
    expect(entryBundlePath(1234067, 1)).toBe('tile/entries/x001/x234/067.p/1');
  });

  it('parses what it formats', () => {
    expect(parseTilePath('tile/0/x001/x234/067')).toEqual({ level: 0, index: 1234067, width: 256 });
    expect(parseTilePath('tile/63/000.p/255')).toEqual({ level: 63, index: 0, width: 255 });
    expect(parseTilePath('tile/entries/x001/000.p/3')).toEqual({ level: 'entries', index: 1000, width: 3 });
  });

  it.each([
    'tile/0/1234067',
    'tile/0/x001/234/067',
    'tile/0/x000/001',
    'tile/00/001',
    'tile/64/001',
    'tile/0/001.p/0',
    'tile/0/001.p/256',
    'tile/0/001.p/07',
    'tile/0/01',
    '/tile/0/001',
    'tile/entries/001/',
    'tile/data/001',
  ])('rejects %s', (path) => {
    expect(() => parseTilePath(path)).toThrow(LedgerFormatError);
  });

  it('refuses out-of-range arguments', () => {
    expect(() => tilePath(64, 0)).toThrow(LedgerFormatError);
    expect(() => tilePath(0, -1)).toThrow(LedgerFormatError);
    expect(() => tilePath(0, 0, 0)).toThrow(LedgerFormatError);
  });

  it('computes partial widths as in the spec example (size 70,000)', () => {
    expect(partialTileWidth(0, 70000)).toBe(112);
    expect(partialTileWidth(1, 70000)).toBe(17);
    expect(partialTileWidth(2, 70000)).toBe(1);
    expect(partialTileWidth(0, 256)).toBe(0);
    expect(partialTileWidth(1, 256)).toBe(1);
  });
});

describe('tiles from stored nodes', () => {
  it('a level-1 tile hash is the root of 256 leaves, and tile contents round-trip', async () => {
    const leaves = Array.from({ length: 600 }, (_, i) => leafHash(utf8(`t${i}`)));
    const store = new MemoryNodeStore();
    await store.append(leaves);
    const level0 = await store.read(tileNodeIds(0, 2, partialTileWidth(0, 600)));
    expect(level0.map(toHex)).toEqual(leaves.slice(512).map(toHex));
    const [level1] = await store.read(tileNodeIds(1, 0, 2));
    expect(toHex(level1)).toBe(toHex(merkleRoot(leaves.slice(0, 256))));
    const tile = encodeTile(level0);
    expect(tile).toHaveLength(88 * 32);
    expect(decodeTile(tile, 88).map(toHex)).toEqual(level0.map(toHex));
    expect(() => decodeTile(tile, 256)).toThrow(LedgerFormatError);
    expect(() => decodeTile(tile.subarray(1))).toThrow(LedgerFormatError);
  });
});

describe('entry bundles', () => {
  it('prefixes each entry with its big-endian uint16 length', () => {
    const bundle = encodeEntryBundle([utf8('ab'), new Uint8Array(0), new Uint8Array(300).fill(9)]);
    expect([...bundle.subarray(0, 4)]).toEqual([0, 2, 0x61, 0x62]);
    expect([...bundle.subarray(4, 8)]).toEqual([0, 0, 1, 44]);
    const decoded = decodeEntryBundle(bundle, 3);
    expect(decoded.map((e) => e.length)).toEqual([2, 0, 300]);
    expect(decoded[2].every((b) => b === 9)).toBe(true);
  });

  it('accepts 65535-byte entries and rejects larger or truncated ones', () => {
    expect(decodeEntryBundle(encodeEntryBundle([new Uint8Array(0xffff)]))[0]).toHaveLength(0xffff);
    expect(() => encodeEntryBundle([new Uint8Array(0x10000)])).toThrow(LedgerFormatError);
    const bundle = encodeEntryBundle([utf8('hello')]);
    expect(() => decodeEntryBundle(bundle.subarray(0, 4))).toThrow(/inside an entry/);
    expect(() => decodeEntryBundle(new Uint8Array([0]))).toThrow(/length prefix/);
    expect(() => decodeEntryBundle(bundle, 2)).toThrow(/expected 2/);
  });
});
