import { type Readable } from 'node:stream';

/** A stored blob: the SHA-256 of its bytes (64 lowercase hex digits) and its length. */
export interface BlobInfo {
  sha256: string;
  size: number;
}

/** Inclusive byte positions, as in HTTP Content-Range. */
export interface BlobRange {
  start: number;
  end: number;
}

/**
 * Content-addressed storage for bytes too large to keep in PostgreSQL (media files). Blobs are named by the
 * SHA-256 of their bytes, so a put is idempotent and a blob never changes under its name.
 *
 * The contract is small on purpose, so an S3-compatible store can implement it later: `put` maps to a
 * multipart upload to a temporary key, then a server-side copy to `blobs/ab/cd/<sha256>` once the hash is
 * known (skipped when the key exists); `get` to a ranged GetObject; `has`/`stat` to HeadObject. Nothing here
 * assumes a local path.
 */
export interface BlobStore {
  /**
   * Streams `source` into the store, hashing as it goes; never holds the whole body in memory. Resolves once
   * the blob is durably stored under its hash. If `source` fails (for instance a size limit enforced by its
   * producer), nothing is stored and the error is passed on.
   */
  put(source: Readable | AsyncIterable<Uint8Array>): Promise<BlobInfo>;
  /** The blob's bytes (or one range of them); null when there is no such blob. */
  get(sha256: string, range?: BlobRange): Promise<Readable | null>;
  has(sha256: string): Promise<boolean>;
  /** The blob's name and size as stored (its bytes are not rehashed); null when there is none. */
  stat(sha256: string): Promise<BlobInfo | null>;
}

/**
 * The store itself failed (a full or read-only disk, an I/O error), not the bytes' source: callers fail their
 * job so it runs again later, instead of blaming the source. The file system's error is kept as `storeError`,
 * not as `cause`, so that code reading error codes through causes (the HTTP client's) does not take it for
 * the network's.
 */
export class BlobStoreFailure extends Error {
  constructor(
    readonly storeError: unknown,
    what: string,
  ) {
    super(`the blob store could not ${what}: ${messageOf(storeError)}`);
    this.name = 'BlobStoreFailure';
  }
}

// an error from another realm (a worker, jest's sandbox) is not `instanceof Error`: read its message as it is
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

export const SHA256_NAME = /^[0-9a-f]{64}$/;

export class InvalidBlobName extends Error {
  constructor(name: string) {
    super(`not a blob name (64 lowercase hex digits): ${JSON.stringify(name.slice(0, 80))}`);
  }
}

export function checkBlobName(sha256: string): void {
  if (!SHA256_NAME.test(sha256)) throw new InvalidBlobName(sha256);
}
