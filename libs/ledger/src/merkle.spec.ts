import { fromBase64, fromHex, toHex, utf8 } from './bytes';
import { ProofVerificationError } from './errors';
import {
  EMPTY_TREE_HASH,
  leafHash,
  merkleRoot,
  nodeHash,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from './merkle';
import { splitPoint } from './tree-math';
import {
  HAVE_VECTORS,
  RFC6962_LEAVES,
  RFC6962_ROOT_8,
  consistencyVectors,
  inclusionVectors,
} from './testdata/vectors';

/** Straight from RFC 6962 §2.1: the recursive definition, as an independent oracle. */
function mth(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return EMPTY_TREE_HASH;
  if (leaves.length === 1) return leaves[0];
  const k = splitPoint(leaves.length);
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

const b64 = fromBase64;
// inclusion/1/happy-path.json: leaf 0 of the 8-leaf tree
const HAPPY_INCLUSION = {
  proof: [
    'lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=',
    'Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=',
    'a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=',
  ].map(b64),
  root: b64('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg='),
};

describe('RFC 6962 hashing', () => {
  it('matches the published hasher vectors', () => {
    expect(toHex(EMPTY_TREE_HASH)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(leafHash(new Uint8Array()))).toBe(
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    );
    expect(toHex(leafHash(utf8('L123456')))).toBe(
      '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56',
    );
    expect(toHex(nodeHash(utf8('N123'), utf8('N456')))).toBe(
      'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb',
    );
  });

  it('gives the published root of the 8 RFC 6962 test leaves', () => {
    expect(toHex(merkleRoot(RFC6962_LEAVES.map(leafHash)))).toBe(RFC6962_ROOT_8);
    expect(merkleRoot([])).toEqual(EMPTY_TREE_HASH);
  });

  it('merkleRoot agrees with the recursive definition for every size up to 70', () => {
    const leaves = Array.from({ length: 70 }, (_, i) => leafHash(utf8(`entry ${i}`)));
    for (let n = 0; n <= 70; n++)
      expect(toHex(merkleRoot(leaves.slice(0, n)))).toBe(toHex(mth(leaves.slice(0, n))));
  });
});

describe('verifyInclusion', () => {
  const leaves = RFC6962_LEAVES.map(leafHash);

  it('accepts the embedded happy path and rejects a flipped bit', () => {
    expect(() => verifyInclusion(leaves[0], 0, 8, HAPPY_INCLUSION.proof, HAPPY_INCLUSION.root)).not.toThrow();
    const bad = HAPPY_INCLUSION.proof.map((h) => h.slice());
    bad[1][5] ^= 1;
    expect(() => verifyInclusion(leaves[0], 0, 8, bad, HAPPY_INCLUSION.root)).toThrow(ProofVerificationError);
  });

  it('explains why a proof fails', () => {
    expect(() => verifyInclusion(leaves[0], 8, 8, [], HAPPY_INCLUSION.root)).toThrow(/beyond the tree size/);
    expect(() =>
      verifyInclusion(leaves[0], 0, 8, HAPPY_INCLUSION.proof.slice(0, 2), HAPPY_INCLUSION.root),
    ).toThrow(/too few/);
    expect(() =>
      verifyInclusion(leaves[0], 0, 8, [...HAPPY_INCLUSION.proof, leaves[1]], HAPPY_INCLUSION.root),
    ).toThrow(/too many/);
    expect(() => verifyInclusion(leaves[1], 0, 8, HAPPY_INCLUSION.proof, HAPPY_INCLUSION.root)).toThrow(
      /gives root/,
    );
    expect(() => verifyInclusion(leaves[0], 2 ** 64, 2 ** 64 + 1, [], HAPPY_INCLUSION.root)).toThrow(
      /safe integer/,
    );
    expect(() => rootFromInclusionProof(leaves[0], 0, 8, [new Uint8Array(31)])).toThrow(/31 bytes/);
  });

  it('single-leaf tree: the leaf hash is the root', () => {
    expect(() => verifyInclusion(leaves[3], 0, 1, [], leaves[3])).not.toThrow();
    expect(() => verifyInclusion(leaves[3], 0, 1, [], leaves[2])).toThrow(ProofVerificationError);
  });
});

describe('verifyConsistency', () => {
  const leaves = RFC6962_LEAVES.map(leafHash);
  const root = (n: number): Uint8Array => merkleRoot(leaves.slice(0, n));

  it('accepts equal sizes with equal roots and an empty proof only', () => {
    expect(() => verifyConsistency(3, 3, [], root(3), root(3))).not.toThrow();
    expect(() => verifyConsistency(3, 3, [], root(3), root(4))).toThrow(/roots differ/);
    expect(() => verifyConsistency(3, 3, [root(1)], root(3), root(3))).toThrow(/not empty/);
  });

  it('rejects impossible sizes', () => {
    expect(() => verifyConsistency(0, 4, [], EMPTY_TREE_HASH, root(4))).toThrow(/empty tree/);
    expect(() => verifyConsistency(5, 4, [], root(5), root(4))).toThrow(/larger/);
    expect(() => verifyConsistency(2, 4, [], root(2), root(4))).toThrow(/empty/);
  });
});

// it.each refuses an empty table, so the whole block only exists when the files do.
if (HAVE_VECTORS) {
  describe('transparency-dev vectors (shared/vectors/merkle)', () => {
    const inclusion = inclusionVectors();
    const consistency = consistencyVectors();

    it('found the vector files', () => {
      expect(inclusion.length).toBeGreaterThan(50);
      expect(consistency.length).toBeGreaterThan(50);
      expect(inclusion.some((v) => v.wantErr) && inclusion.some((v) => !v.wantErr)).toBe(true);
      expect(consistency.some((v) => v.wantErr) && consistency.some((v) => !v.wantErr)).toBe(true);
    });

    it.each(inclusion.map((v) => [v.file, v] as const))('inclusion %s', (_file, v) => {
      const run = (): void => verifyInclusion(v.leafHash, v.leafIdx, v.treeSize, v.proof, v.root);
      if (v.wantErr) expect(run).toThrow(ProofVerificationError);
      else expect(run).not.toThrow();
    });

    it.each(consistency.map((v) => [v.file, v] as const))('consistency %s', (_file, v) => {
      const run = (): void => verifyConsistency(v.size1, v.size2, v.proof, v.root1, v.root2);
      if (v.wantErr) expect(run).toThrow(ProofVerificationError);
      else expect(run).not.toThrow();
    });

    it('all happy paths for the 8-leaf tree carry the published root', () => {
      const roots = inclusion.filter((v) => !v.wantErr && v.treeSize === 8).map((v) => toHex(v.root));
      expect(roots.length).toBeGreaterThan(0);
      for (const r of roots) expect(r).toBe(RFC6962_ROOT_8);
      expect(fromHex(RFC6962_ROOT_8)).toEqual(merkleRoot(RFC6962_LEAVES.map(leafHash)));
    });
  });
} else {
  it.skip('transparency-dev vector files (shared/vectors/merkle not found)', () => undefined);
}
