/**
 * RFC 6962 / RFC 9162 Merkle tree hashing and proof verification (SHA-256).
 * Verification throws ProofVerificationError with the reason; it returns nothing when the proof holds.
 */
import { bytesEqual, toHex } from './bytes';
import { sha256 } from './crypto';
import { ProofVerificationError } from './errors';
import { isPowerOfTwo } from './tree-math';

export const HASH_SIZE = 32;

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** MTH({}) = SHA-256(""). */
export const EMPTY_TREE_HASH: Uint8Array = sha256();

export function leafHash(entry: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, entry);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

/**
 * Root of a tree whose leaf hashes are given, in O(n) time and O(log n) memory: keep the hashes of the
 * complete subtrees on the right edge (at most one per level), then fold them right to left.
 */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return EMPTY_TREE_HASH;
  const stack: { hash: Uint8Array; leaves: number }[] = [];
  for (const leaf of leafHashes) {
    let item = { hash: leaf, leaves: 1 };
    while (stack.length > 0 && stack[stack.length - 1].leaves === item.leaves) {
      const left = stack.pop() as { hash: Uint8Array; leaves: number };
      item = { hash: nodeHash(left.hash, item.hash), leaves: left.leaves * 2 };
    }
    stack.push(item);
  }
  let root = stack[stack.length - 1].hash;
  for (let i = stack.length - 2; i >= 0; i--) root = nodeHash(stack[i].hash, root);
  return root;
}

function checkSize(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ProofVerificationError(`${name} must be a non-negative safe integer, got ${value}`);
  }
}

function checkProofHashes(proof: readonly Uint8Array[]): void {
  proof.forEach((hash, i) => {
    if (hash.length !== HASH_SIZE) {
      throw new ProofVerificationError(`proof hash ${i} is ${hash.length} bytes, expected ${HASH_SIZE}`);
    }
  });
}

const half = (n: number): number => Math.floor(n / 2);
const isOdd = (n: number): boolean => n % 2 === 1;

/** Recomputes the root from an inclusion proof (RFC 9162 §2.1.3.2 steps 1-5, without the final compare). */
export function rootFromInclusionProof(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
): Uint8Array {
  checkSize('index', index);
  checkSize('size', size);
  if (index >= size) throw new ProofVerificationError(`index ${index} is beyond the tree size ${size}`);
  if (leaf.length !== HASH_SIZE) {
    throw new ProofVerificationError(`leaf hash is ${leaf.length} bytes, expected ${HASH_SIZE}`);
  }
  checkProofHashes(proof);
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) throw new ProofVerificationError(`inclusion proof has too many hashes (${proof.length})`);
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofVerificationError(`inclusion proof has too few hashes (${proof.length})`);
  return r;
}

export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  const computed = rootFromInclusionProof(leaf, index, size, proof);
  if (!bytesEqual(computed, root)) {
    throw new ProofVerificationError(
      `inclusion proof for leaf ${index} in tree of size ${size} gives root ${toHex(computed)}, expected ${toHex(root)}`,
    );
  }
}

/**
 * RFC 9162 §2.1.4.2. size1 must be at least 1: a proof from the empty tree proves nothing, and the
 * RFC's algorithm is undefined there (a witness treats "old 0" separately, with an empty proof).
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  checkSize('size1', size1);
  checkSize('size2', size2);
  if (size1 > size2) throw new ProofVerificationError(`size1 ${size1} is larger than size2 ${size2}`);
  if (size1 === 0)
    throw new ProofVerificationError('no consistency proof exists from the empty tree (size1 = 0)');
  if (size1 === size2) {
    if (proof.length !== 0) throw new ProofVerificationError('sizes are equal but the proof is not empty');
    if (!bytesEqual(root1, root2)) throw new ProofVerificationError('sizes are equal but the roots differ');
    return;
  }
  if (proof.length === 0) throw new ProofVerificationError('consistency proof is empty');
  checkProofHashes(proof);

  // Step 2: when size1 is a power of two, root1 is itself the first node of the path.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) throw new ProofVerificationError(`consistency proof has too many hashes (${proof.length})`);
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofVerificationError(`consistency proof has too few hashes (${proof.length})`);
  if (!bytesEqual(fr, root1)) {
    throw new ProofVerificationError(`consistency proof gives root1 ${toHex(fr)}, expected ${toHex(root1)}`);
  }
  if (!bytesEqual(sr, root2)) {
    throw new ProofVerificationError(`consistency proof gives root2 ${toHex(sr)}, expected ${toHex(root2)}`);
  }
}
