import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BlobStoreFailure } from './blob-store';
import { FileBlobStore } from './file-blob-store';
import { rehashBlob } from './rehash-blob';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The bytes in chunks of `chunk`, as a network body arrives. */
function chunked(bytes: Buffer, chunk = 1000): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
    })(),
  );
}

async function readAll(stream: Readable | null): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream! as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('FileBlobStore', () => {
  let root: string;
  let store: FileBlobStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'verbatim-blobs-'));
    store = new FileBlobStore(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('stores streamed bytes under ab/cd/<sha256> and reads them back, whole and by range', async () => {
    const bytes = randomBytes(250_000);
    const info = await store.put(chunked(bytes));
    const expected = sha256(bytes);

    expect(info).toEqual({ sha256: expected, size: bytes.length });
    const path = join(root, expected.slice(0, 2), expected.slice(2, 4), expected);
    expect(store.pathOf(expected)).toBe(path);
    expect((await readFile(path)).equals(bytes)).toBe(true);
    expect((await readAll(await store.get(expected))).equals(bytes)).toBe(true);
    expect(
      (await readAll(await store.get(expected, { start: 10, end: 19 }))).equals(bytes.subarray(10, 20)),
    ).toBe(true);
    expect(await store.has(expected)).toBe(true);
    expect(await store.stat(expected)).toEqual({ sha256: expected, size: bytes.length });
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('answers null / false for a blob it does not hold, and refuses names that are not hashes', async () => {
    const absent = sha256(Buffer.from('never stored'));
    expect(await store.get(absent)).toBeNull();
    expect(await store.has(absent)).toBe(false);
    expect(await store.stat(absent)).toBeNull();
    await expect(store.get('../../etc/passwd')).rejects.toThrow(/not a blob name/);
    await expect(store.has('ABC')).rejects.toThrow(/not a blob name/);
  });

  it('stores nothing when the source fails midway: no blob, no temporary file left', async () => {
    const failing = Readable.from(
      (function* () {
        yield randomBytes(5000);
        throw new Error('body exceeds the limit');
      })(),
    );
    await expect(store.put(failing)).rejects.toThrow('body exceeds the limit');
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    expect((await readdir(root)).sort()).toEqual(['tmp']);
  });

  it('says when the store itself failed, and passes the source’s own failure on as it is', async () => {
    // a root below a regular file: every directory the store makes fails (ENOTDIR), as a broken disk would
    await writeFile(join(root, 'not-a-directory'), 'x');
    const broken = new FileBlobStore(join(root, 'not-a-directory', 'blobs'));
    const failure = await broken.put(chunked(randomBytes(100))).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BlobStoreFailure);
    expect((failure as BlobStoreFailure).message).toMatch(
      /^the blob store could not create its directory: ENOTDIR/,
    );
    expect((failure as BlobStoreFailure & { cause?: unknown }).cause).toBeUndefined();

    const dropped = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    const source = Readable.from(
      (function* () {
        yield randomBytes(100);
        throw dropped;
      })(),
    );
    await expect(store.put(source)).rejects.toBe(dropped);
  });

  it('is idempotent: putting the same bytes again gives the same blob and one file', async () => {
    const bytes = randomBytes(10_000);
    const first = await store.put(chunked(bytes));
    const second = await store.put(chunked(bytes, 333));
    expect(second).toEqual(first);
    const dir = join(root, first.sha256.slice(0, 2), first.sha256.slice(2, 4));
    expect(await readdir(dir)).toEqual([first.sha256]);
    expect((await readFile(join(dir, first.sha256))).equals(bytes)).toBe(true);
  });

  it('takes concurrent puts of the same bytes: every one resolves to the same blob, intact', async () => {
    const bytes = randomBytes(400_000);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.put(chunked(bytes, 1000 + i))),
    );
    for (const r of results) expect(r).toEqual({ sha256: sha256(bytes), size: bytes.length });
    expect((await readFile(store.pathOf(sha256(bytes)))).equals(bytes)).toBe(true);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('rehashBlob tells a sound blob from a changed or missing file', async () => {
    const bytes = randomBytes(3000);
    const { sha256: name } = await store.put(chunked(bytes));
    expect(await rehashBlob(store, name)).toEqual({ state: 'ok', size: 3000 });

    const changed = Buffer.from(bytes);
    changed[1500] ^= 0xff;
    await writeFile(store.pathOf(name), changed);
    expect(await rehashBlob(store, name)).toEqual({ state: 'mismatch', actual: sha256(changed), size: 3000 });

    await rm(store.pathOf(name));
    expect(await rehashBlob(store, name)).toEqual({ state: 'missing' });
  });
});
