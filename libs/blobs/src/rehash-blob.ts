import { createHash } from 'node:crypto';
import { type BlobStore } from './blob-store';

/** What rehashing a stored blob found. */
export type BlobCheck =
  { state: 'ok'; size: number } | { state: 'missing' } | { state: 'mismatch'; actual: string; size: number };

/** Reads a blob back in full (streamed) and compares the SHA-256 of its bytes with its name. */
export async function rehashBlob(store: BlobStore, sha256: string): Promise<BlobCheck> {
  const stream = await store.get(sha256);
  if (stream === null) return { state: 'missing' };
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  const actual = hash.digest('hex');
  return actual === sha256 ? { state: 'ok', size } : { state: 'mismatch', actual, size };
}
