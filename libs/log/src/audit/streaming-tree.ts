import { EMPTY_TREE_HASH, nodeHash, type StoredNode } from '@app/ledger';

/**
 * An RFC 6962 tree rebuilt leaf by leaf in O(log n) memory: it keeps only the complete subtrees on the
 * right edge, so an audit can walk millions of leaves. Each append returns the stored nodes (as the
 * sequencer writes them to log_nodes) that the new leaf completes.
 */
export class StreamingTree {
  /** edge[level]: a complete left subtree still waiting for its right sibling */
  private readonly edge: (Uint8Array | undefined)[] = [];
  private leaves = 0;

  get size(): number {
    return this.leaves;
  }

  /** Appends a leaf hash; returns the leaf node, then every parent it completes, bottom up. */
  append(leafHash: Uint8Array): StoredNode[] {
    const completed: StoredNode[] = [{ level: 0, index: this.leaves, hash: leafHash }];
    let hash = leafHash;
    let index = this.leaves;
    let level = 0;
    while (index % 2 === 1) {
      hash = nodeHash(this.edge[level] as Uint8Array, hash);
      this.edge[level] = undefined;
      index = (index - 1) / 2;
      level += 1;
      completed.push({ level, index, hash });
    }
    this.edge[level] = hash;
    this.leaves += 1;
    return completed;
  }

  /** The root of the leaves appended so far (smaller subtrees on the right, folded right to left). */
  root(): Uint8Array {
    let root: Uint8Array | undefined;
    for (const hash of this.edge) {
      if (hash === undefined) continue;
      root = root === undefined ? hash : nodeHash(hash, root);
    }
    return root ?? EMPTY_TREE_HASH;
  }
}

/**
 * For each level, the index range [from, to) of the stored nodes that become complete when the leaves at
 * positions [start, end) are appended: node (L, i) completes with leaf (i + 1)·2^L − 1.
 */
export function completedNodeRanges(
  start: number,
  end: number,
): { level: number; from: number; to: number }[] {
  const ranges: { level: number; from: number; to: number }[] = [];
  for (let level = 0, span = 1; span <= end; level++, span *= 2) {
    const from = Math.floor(start / span);
    const to = Math.floor(end / span);
    if (to > from) ranges.push({ level, from, to });
  }
  return ranges;
}
