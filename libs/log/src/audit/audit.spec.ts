import { generateKeyPairSync } from 'node:crypto';
import {
  ed25519NoteSigner,
  formatCheckpoint,
  formatVerifierKey,
  leafHash,
  MemoryNodeStore,
  merkleRoot,
  nodeKey,
  parseVerifierKey,
  signNote,
  treeHash,
  type NoteSigner,
} from '@app/ledger';
import { checkpointProblem } from './checkpoint-check';
import { completedNodeRanges, StreamingTree } from './streaming-tree';

const leaves = Array.from({ length: 70 }, (_, i) => leafHash(new TextEncoder().encode(`entry ${i}`)));

describe('StreamingTree', () => {
  it('yields exactly the nodes the sequencer stores, and the RFC 6962 root at every size', async () => {
    const tree = new StreamingTree();
    const store = new MemoryNodeStore();
    expect(Buffer.from(tree.root())).toEqual(Buffer.from(merkleRoot([])));
    for (let size = 1; size <= leaves.length; size++) {
      const streamed = tree.append(leaves[size - 1]);
      const stored = await store.append([leaves[size - 1]]);
      expect(streamed.map((n) => [nodeKey(n), Buffer.from(n.hash)])).toEqual(
        stored.map((n) => [nodeKey(n), Buffer.from(n.hash)]),
      );
      expect(tree.size).toBe(size);
      expect(Buffer.from(tree.root())).toEqual(Buffer.from(merkleRoot(leaves.slice(0, size))));
      expect(Buffer.from(tree.root())).toEqual(Buffer.from(await treeHash(size, store.read)));
    }
  });
});

describe('completedNodeRanges', () => {
  it('names exactly the nodes completed by appending leaves [start, end)', () => {
    for (const [start, end] of [
      [0, 1],
      [0, 70],
      [5, 6],
      [7, 8],
      [13, 64],
      [64, 70],
      [33, 34],
    ]) {
      const tree = new StreamingTree();
      for (let i = 0; i < start; i++) tree.append(leaves[i]);
      const expected = new Set<string>();
      for (let i = start; i < end; i++)
        for (const node of tree.append(leaves[i])) expected.add(nodeKey(node));
      const named = new Set<string>();
      for (const { level, from, to } of completedNodeRanges(start, end)) {
        for (let index = from; index < to; index++) named.add(`${level}/${index}`);
      }
      expect({ start, end, nodes: [...named].sort() }).toEqual({ start, end, nodes: [...expected].sort() });
    }
  });
});

describe('checkpointProblem', () => {
  const origin = 'archive.test/verbatim';
  const signer: NoteSigner = ed25519NoteSigner(origin, generateKeyPairSync('ed25519').privateKey);
  const verifier = parseVerifierKey(formatVerifierKey(signer));
  const root = merkleRoot(leaves.slice(0, 5));
  const good = {
    size: 5,
    root,
    note: signNote(formatCheckpoint({ origin, size: 5, rootHash: root }), signer),
  };

  it('accepts a checkpoint signed by the log key whose row matches its note', () => {
    expect(checkpointProblem(good, verifier)).toBeNull();
  });

  it('names a signature that does not verify', () => {
    const note = good.note.replace('\n5\n', '\n6\n');
    expect(checkpointProblem({ ...good, note }, verifier)).toMatch(
      /^checkpoint 5: its signature does not verify/,
    );
    const other = ed25519NoteSigner(origin, generateKeyPairSync('ed25519').privateKey);
    const foreign = signNote(formatCheckpoint({ origin, size: 5, rootHash: root }), other);
    expect(checkpointProblem({ ...good, note: foreign }, verifier)).toMatch(/no signature from a known key/);
  });

  it('names a row whose size or root differs from what was signed', () => {
    expect(checkpointProblem({ ...good, size: 4 }, verifier)).toBe(
      'checkpoint 4: its signed note says size 5',
    );
    expect(checkpointProblem({ ...good, root: merkleRoot(leaves.slice(0, 4)) }, verifier)).toMatch(
      /^checkpoint 5: stored root .* differs from its signed root/,
    );
  });

  it('names a note signed by the key for another origin', () => {
    const note = signNote(formatCheckpoint({ origin: 'elsewhere', size: 5, rootHash: root }), signer);
    expect(checkpointProblem({ ...good, note }, verifier)).toBe(
      'checkpoint 5: signed for origin "elsewhere", not "archive.test/verbatim"',
    );
  });
});
