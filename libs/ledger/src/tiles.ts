/**
 * C2SP tlog-tiles: tile and entry-bundle paths, tile contents, and entry bundles. A tile at level L holds
 * stored nodes of tree level 8L, so it is read straight from the stored-node table (see tileNodeIds).
 */
import { concatBytes } from './bytes';
import { LedgerFormatError } from './errors';
import { HASH_SIZE } from './merkle';
import { type NodeId } from './stored-tree';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
export const MAX_TILE_LEVEL = 63;
export const MAX_ENTRY_SIZE = 0xffff;

export type TileLevel = number | 'entries';

export interface TileAddress {
  readonly level: TileLevel;
  readonly index: number;
  /** 1..256; 256 is a full tile. */
  readonly width: number;
}

function checkIndex(index: number): void {
  if (!Number.isSafeInteger(index) || index < 0)
    throw new LedgerFormatError('tile index must be a safe integer');
}

function checkLevel(level: TileLevel): void {
  if (level !== 'entries' && !(Number.isInteger(level) && level >= 0 && level <= MAX_TILE_LEVEL)) {
    throw new LedgerFormatError(`tile level must be 0..${MAX_TILE_LEVEL} or "entries"`);
  }
}

function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) {
    throw new LedgerFormatError(`tile width must be 1..${TILE_WIDTH}`);
  }
}

/** "x001/x234/067" for 1234067: 3-digit groups, all but the last prefixed with "x". */
export function encodeTileIndex(index: number): string {
  checkIndex(index);
  const groups: string[] = [];
  let rest = index;
  do {
    groups.unshift(String(rest % 1000).padStart(3, '0'));
    rest = Math.floor(rest / 1000);
  } while (rest > 0);
  return groups.map((group, i) => (i < groups.length - 1 ? `x${group}` : group)).join('/');
}

/** "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]"; width 256 (or omitted) means a full tile. */
export function tilePath(level: TileLevel, index: number, width = TILE_WIDTH): string {
  checkLevel(level);
  checkWidth(width);
  const partial = width < TILE_WIDTH ? `.p/${width}` : '';
  return `tile/${level}/${encodeTileIndex(index)}${partial}`;
}

export function entryBundlePath(index: number, width = TILE_WIDTH): string {
  return tilePath('entries', index, width);
}

/** Parses a tile path (without the log prefix); only the canonical encoding is accepted. */
export function parseTilePath(path: string): TileAddress {
  const match = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(
    path,
  );
  if (match === null) throw new LedgerFormatError(`not a tile path: ${JSON.stringify(path)}`);
  const level: TileLevel = match[1] === 'entries' ? 'entries' : Number(match[1]);
  const index = Number(match[2].replace(/x/g, '').replace(/\//g, ''));
  const width = match[3] === undefined ? TILE_WIDTH : Number(match[3]);
  if (!Number.isSafeInteger(index)) throw new LedgerFormatError('tile index is too large');
  if (match[3] !== undefined && width >= TILE_WIDTH)
    throw new LedgerFormatError('partial tile width must be < 256');
  checkLevel(level);
  if (tilePath(level, index, width) !== path) throw new LedgerFormatError(`non-canonical tile path: ${path}`);
  return { level, index, width };
}

/** Width of the rightmost tile at `level` for a tree of `treeSize` leaves (0 when there is none). */
export function partialTileWidth(level: number, treeSize: number): number {
  return Math.floor(treeSize / TILE_WIDTH ** level) % TILE_WIDTH;
}

/** The stored nodes that make up hash tile (level, index, width): nodes (8·level, index·256 + i). */
export function tileNodeIds(level: number, index: number, width = TILE_WIDTH): NodeId[] {
  checkLevel(level);
  checkIndex(index);
  checkWidth(width);
  return Array.from({ length: width }, (_, i) => ({
    level: level * TILE_HEIGHT,
    index: index * TILE_WIDTH + i,
  }));
}

export function encodeTile(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length < 1 || hashes.length > TILE_WIDTH)
    throw new LedgerFormatError('a tile holds 1..256 hashes');
  if (hashes.some((hash) => hash.length !== HASH_SIZE))
    throw new LedgerFormatError('tile hashes must be 32 bytes');
  return concatBytes(...hashes);
}

export function decodeTile(bytes: Uint8Array, expectedWidth?: number): Uint8Array[] {
  if (bytes.length === 0 || bytes.length % HASH_SIZE !== 0 || bytes.length > HASH_SIZE * TILE_WIDTH) {
    throw new LedgerFormatError(`tile of ${bytes.length} bytes is not 1..256 hashes`);
  }
  const width = bytes.length / HASH_SIZE;
  if (expectedWidth !== undefined && width !== expectedWidth) {
    throw new LedgerFormatError(`tile has ${width} hashes, expected ${expectedWidth}`);
  }
  return Array.from({ length: width }, (_, i) => bytes.slice(i * HASH_SIZE, (i + 1) * HASH_SIZE));
}

/** Entry bundle: each entry as a big-endian uint16 length followed by its bytes. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  if (entries.length > TILE_WIDTH) throw new LedgerFormatError('an entry bundle holds at most 256 entries');
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    if (entry.length > MAX_ENTRY_SIZE)
      throw new LedgerFormatError(`entry of ${entry.length} bytes exceeds 65535`);
    parts.push(new Uint8Array([entry.length >> 8, entry.length & 0xff]), entry);
  }
  return concatBytes(...parts);
}

export function decodeEntryBundle(bytes: Uint8Array, expectedCount?: number): Uint8Array[] {
  const entries: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 2 > bytes.length) throw new LedgerFormatError('entry bundle ends inside a length prefix');
    const length = (bytes[offset] << 8) | bytes[offset + 1];
    offset += 2;
    if (offset + length > bytes.length) throw new LedgerFormatError('entry bundle ends inside an entry');
    entries.push(bytes.slice(offset, offset + length));
    offset += length;
  }
  if (entries.length > TILE_WIDTH) throw new LedgerFormatError('entry bundle has more than 256 entries');
  if (expectedCount !== undefined && entries.length !== expectedCount) {
    throw new LedgerFormatError(`entry bundle has ${entries.length} entries, expected ${expectedCount}`);
  }
  return entries;
}
