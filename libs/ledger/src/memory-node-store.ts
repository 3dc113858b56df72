import { type NodeId, type NodeReader, type StoredNode, newStoredNodes, nodeKey } from './stored-tree';

/** Stored-node log in memory, for tests and benchmarks. Counts read calls so tests can check batching. */
export class MemoryNodeStore {
  private readonly levels: Uint8Array[][] = [];
  /** How many times `read` was called. */
  readCalls = 0;

  /** Number of leaves stored. */
  get size(): number {
    return this.levels[0]?.length ?? 0;
  }

  get(id: NodeId): Uint8Array | undefined {
    return this.levels[id.level]?.[id.index];
  }

  readonly read: NodeReader = async (ids) => {
    this.readCalls++;
    return ids.map((id) => {
      const hash = this.get(id);
      if (hash === undefined) throw new Error(`missing stored node ${nodeKey(id)}`);
      return hash;
    });
  };

  put(nodes: readonly StoredNode[]): void {
    for (const node of nodes) (this.levels[node.level] ??= [])[node.index] = node.hash;
  }

  /** Appends leaf hashes after the current size and stores every node that became complete. */
  async append(leafHashes: readonly Uint8Array[]): Promise<StoredNode[]> {
    const nodes = await newStoredNodes(this.size, leafHashes, this.read);
    this.put(nodes);
    return nodes;
  }
}
