import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type BlobInfo, type BlobRange, type BlobStore, BlobStoreFailure, checkBlobName } from './blob-store';

/**
 * Blobs as files under one directory: `<root>/ab/cd/<sha256>`, two levels of fan-out so no directory holds
 * more than 256 subdirectories however many blobs there are. A put streams into `<root>/tmp/` (same file system, so the final rename is
 * atomic), syncs the file, then renames it into place: a reader sees a whole blob or none, never a partial
 * one, and a crash leaves at most a stray temporary file.
 */
export class FileBlobStore implements BlobStore {
  private readonly tmpDir: string;

  constructor(readonly root: string) {
    this.tmpDir = join(root, 'tmp');
  }

  /** Where a blob's file lives (whether or not it exists). */
  pathOf(sha256: string): string {
    checkBlobName(sha256);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(source: Readable | AsyncIterable<Uint8Array>): Promise<BlobInfo> {
    await ours('create its directory', () => mkdir(this.tmpDir, { recursive: true }));
    const tmp = join(this.tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    // the file exists before any byte flows: a source that fails at once cannot leave a file that a stream
    // still opening would create after the clean-up below
    const file = await ours('open a file', () => open(tmp, 'wx'));
    try {
      try {
        await pipeline(source, hashing, file.createWriteStream());
      } catch (error) {
        // the source's failures (a size limit, a dropped connection) pass on as they are; the disk's are ours
        throw isFileSystemCall(error) ? new BlobStoreFailure(error, 'write a file') : error;
      }
      await ours('sync a file', () => syncFile(tmp));
      const sha256 = hash.digest('hex');
      const target = this.pathOf(sha256);
      await ours('create its directory', () => mkdir(join(target, '..'), { recursive: true }));
      // same bytes, same name: renaming over a blob a concurrent put just stored replaces it with itself
      await ours('move a file into place', () => rename(tmp, target));
      return { sha256, size };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async get(sha256: string, range?: BlobRange): Promise<Readable | null> {
    const path = this.pathOf(sha256);
    // opened before the stream is handed out, so a missing file is a null and not a stream error later
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    return handle.createReadStream({ start: range?.start, end: range?.end });
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.stat(sha256)) !== null;
  }

  async stat(sha256: string): Promise<BlobInfo | null> {
    try {
      const info = await stat(this.pathOf(sha256));
      return info.isFile() ? { sha256, size: info.size } : null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** File system calls the store makes while writing: an error from one of them is the disk's, not the source's. */
const FILE_SYSTEM_CALLS = new Set([
  'open',
  'write',
  'writev',
  'fsync',
  'fdatasync',
  'close',
  'mkdir',
  'rename',
]);

function isFileSystemCall(error: unknown): boolean {
  const call = (error as { syscall?: unknown } | null)?.syscall;
  return typeof call === 'string' && FILE_SYSTEM_CALLS.has(call);
}

async function ours<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw new BlobStoreFailure(error, what);
  }
}
