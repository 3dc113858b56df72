/**
 * A Merkle tree kept as the hashes of its complete subtrees, for a log backed by an indexed store.
 *
 * Node (level L, index i) is the hash of the complete subtree over leaves [i * 2^L, (i + 1) * 2^L); level 0
 * holds the leaf hashes. Stored nodes never change once written, so appending only adds rows. Every query
 * below works out the exact set of stored nodes it needs, fetches them with ONE `read` call, and hashes the
 * incomplete right edge of the tree in memory.
 */
import { HASH_SIZE, EMPTY_TREE_HASH, nodeHash } from './merkle';
import { floorLog2, shiftRight, splitPoint } from './tree-math';

export interface NodeId {
  readonly level: number;
  readonly index: number;
}

export interface StoredNode extends NodeId {
  readonly hash: Uint8Array;
}

/** Batch-fetches stored nodes; must resolve to their hashes in the order of `ids` (or reject). */
export type NodeReader = (ids: readonly NodeId[]) => Promise<readonly Uint8Array[]>;

export const nodeKey = (id: NodeId): string => `${id.level}/${id.index}`;

function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative safe integer`);
}

async function readExactly(read: NodeReader, ids: readonly NodeId[]): Promise<Map<string, Uint8Array>> {
  const found = new Map<string, Uint8Array>();
  if (ids.length === 0) return found;
  const hashes = await read(ids);
  if (hashes.length !== ids.length) {
    throw new Error(`node store returned ${hashes.length} hashes for ${ids.length} ids`);
  }
  ids.forEach((id, i) => {
    const hash = hashes[i];
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
      throw new Error(`node store returned a malformed hash for node ${nodeKey(id)}`);
    }
    found.set(nodeKey(id), hash);
  });
  return found;
}

/**
 * The nodes that become complete when `leafHashes` are appended to a tree of `oldSize` leaves: the new
 * leaves themselves and every new parent, level by level. The only stored nodes needed are the left
 * siblings on the old tree's right edge (at most one per level), read in a single call.
 */
export async function newStoredNodes(
  oldSize: number,
  leafHashes: readonly Uint8Array[],
  read: NodeReader,
): Promise<StoredNode[]> {
  checkCount('oldSize', oldSize);
  leafHashes.forEach((hash, i) => {
    if (hash.length !== HASH_SIZE) throw new RangeError(`leaf hash ${i} is ${hash.length} bytes`);
  });
  const newSize = oldSize + leafHashes.length;
  if (!Number.isSafeInteger(newSize)) throw new RangeError('tree size overflows');

  // First pass: index arithmetic only, to learn which old nodes pair with new ones.
  const needed: NodeId[] = [];
  for (let level = 0; ; level++) {
    const start = shiftRight(oldSize, level);
    const fresh = shiftRight(newSize, level) - start;
    if (fresh === 0) break;
    if (start % 2 === 1) needed.push({ level, index: start - 1 });
  }
  const old = await readExactly(read, needed);

  const out: StoredNode[] = leafHashes.map((hash, i) => ({ level: 0, index: oldSize + i, hash }));
  let current: Uint8Array[] = [...leafHashes];
  let start = oldSize;
  for (let level = 0; current.length > 0; level++) {
    if (start % 2 === 1) {
      current.unshift(old.get(nodeKey({ level, index: start - 1 })) as Uint8Array);
      start -= 1;
    }
    const parents: Uint8Array[] = [];
    for (let k = 0; k + 1 < current.length; k += 2) parents.push(nodeHash(current[k], current[k + 1]));
    const parentStart = start / 2;
    parents.forEach((hash, k) => out.push({ level: level + 1, index: parentStart + k, hash }));
    current = parents;
    start = parentStart;
  }
  return out;
}

/**
 * The complete subtrees covering leaves [start, end), largest first, in RFC 6962 shape. Callers only pass
 * ranges whose start is aligned to the largest piece, so every piece is a stored node.
 */
function rangeNodes(start: number, end: number): NodeId[] {
  const ids: NodeId[] = [];
  let position = start;
  while (position < end) {
    const level = floorLog2(end - position);
    ids.push({ level, index: position / 2 ** level });
    position += 2 ** level;
  }
  return ids;
}

type Range = readonly [start: number, end: number];

/** RFC 6962 PATH(m, D[start:end]), as the leaf ranges whose hashes form the proof, bottom up. */
function inclusionRanges(index: number, start: number, end: number, out: Range[]): void {
  if (end - start <= 1) return;
  const k = splitPoint(end - start);
  if (index < start + k) {
    inclusionRanges(index, start, start + k, out);
    out.push([start + k, end]);
  } else {
    inclusionRanges(index, start + k, end, out);
    out.push([start, start + k]);
  }
}

/** RFC 6962 SUBPROOF(m, D[start:end], whole), with m the absolute old size. */
function consistencyRanges(size1: number, start: number, end: number, whole: boolean, out: Range[]): void {
  if (size1 === end) {
    if (!whole) out.push([start, end]);
    return;
  }
  const k = splitPoint(end - start);
  if (size1 <= start + k) {
    consistencyRanges(size1, start, start + k, whole, out);
    out.push([start + k, end]);
  } else {
    consistencyRanges(size1, start + k, end, false, out);
    out.push([start, start + k]);
  }
}

/** Reads every node the ranges need in one call, then folds each range's pieces right to left. */
async function hashRanges(ranges: readonly Range[], read: NodeReader): Promise<Uint8Array[]> {
  const perRange = ranges.map(([start, end]) => rangeNodes(start, end));
  const unique = new Map<string, NodeId>();
  for (const ids of perRange) for (const id of ids) unique.set(nodeKey(id), id);
  const found = await readExactly(read, [...unique.values()]);
  return perRange.map((ids) => {
    let hash = found.get(nodeKey(ids[ids.length - 1])) as Uint8Array;
    for (let i = ids.length - 2; i >= 0; i--) hash = nodeHash(found.get(nodeKey(ids[i])) as Uint8Array, hash);
    return hash;
  });
}

/** The stored nodes `treeHash(size)` reads (exposed for stores that want to prefetch or cache them). */
export function treeHashNodeIds(size: number): NodeId[] {
  checkCount('size', size);
  return rangeNodes(0, size);
}

/** Root hash of the first `size` leaves. */
export async function treeHash(size: number, read: NodeReader): Promise<Uint8Array> {
  checkCount('size', size);
  if (size === 0) return EMPTY_TREE_HASH;
  const [root] = await hashRanges([[0, size]], read);
  return root;
}

/** RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves. */
export async function inclusionProof(index: number, size: number, read: NodeReader): Promise<Uint8Array[]> {
  checkCount('index', index);
  checkCount('size', size);
  if (index >= size) throw new RangeError(`index ${index} is not in a tree of size ${size}`);
  const ranges: Range[] = [];
  inclusionRanges(index, 0, size, ranges);
  return hashRanges(ranges, read);
}

/** RFC 9162 consistency proof from `size1` to `size2` leaves (empty when the sizes are equal). */
export async function consistencyProof(
  size1: number,
  size2: number,
  read: NodeReader,
): Promise<Uint8Array[]> {
  checkCount('size1', size1);
  checkCount('size2', size2);
  if (size1 === 0 || size1 > size2) {
    throw new RangeError(`no consistency proof from size ${size1} to size ${size2}`);
  }
  const ranges: Range[] = [];
  consistencyRanges(size1, 0, size2, true, ranges);
  return hashRanges(ranges, read);
}
