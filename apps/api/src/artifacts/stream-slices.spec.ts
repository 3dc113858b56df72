import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { type DataSource } from 'typeorm';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { createDataSource, findArtifactHead, readArtifactSlice } from '@app/persistence';
import { streamSlices, type SliceReader } from './stream-slices';

const SLICE = 1024 * 1024;

/** A client that takes each chunk only when the test says so: the slowest possible reader. */
class HeldReader extends Writable {
  readonly received: Buffer[] = [];
  private pending: (() => void)[] = [];

  constructor() {
    super({ highWaterMark: SLICE });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.received.push(chunk);
    this.pending.push(done);
  }

  /** Lets every chunk written so far through. */
  takeAll(): void {
    for (const done of this.pending.splice(0)) done();
  }

  get body(): Buffer {
    return Buffer.concat(this.received);
  }
}

/** Lets queued I/O callbacks and timers of this turn run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('streamSlices on a real artifact', () => {
  let env: TestEnvironment;
  let db: DataSource;
  const bytes = randomBytes(9 * 1024 * 1024 + 123);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  let reads: { offset: number; length: number }[];
  let read: SliceReader;

  beforeAll(async () => {
    env = await createTestEnvironment();
    db = createDataSource(env.databaseUrl, { poolSize: 2 });
    await db.initialize();
    await db.query(`INSERT INTO artifacts (sha256, media_type, size, bytes) VALUES ($1, $2, $3, $4)`, [
      sha256,
      'application/octet-stream',
      bytes.length,
      bytes,
    ]);
  });
  afterAll(async () => {
    await db?.destroy();
    await env?.destroy();
  });
  beforeEach(() => {
    reads = [];
    read = (offset, length) => {
      reads.push({ offset, length });
      return readArtifactSlice(db.manager, sha256, offset, length);
    };
  });

  it('reads the body a slice at a time and writes it byte-exact', async () => {
    const head = await findArtifactHead(db.manager, sha256);
    expect(head).toEqual({ mediaType: 'application/octet-stream', size: bytes.length, storage: 'database' });
    const out = new HeldReader();
    const streaming = streamSlices(out, bytes.length, read, SLICE);
    while (!(await Promise.race([streaming.then(() => true), settle().then(() => false)]))) out.takeAll();

    expect(await streaming).toBe(true);
    expect(createHash('sha256').update(out.body).digest('hex')).toBe(sha256);
    expect(reads).toHaveLength(10);
    expect(reads.every((r) => r.length <= SLICE)).toBe(true);
  });

  it('reads no further while a slow client has not taken the last slice', async () => {
    const out = new HeldReader();
    const streaming = streamSlices(out, bytes.length, read, SLICE);
    // however slow the database is, the first slice arrives; then the streamer has every chance to read more
    while (out.received.length === 0) await settle();
    for (let i = 0; i < 20; i++) await settle();

    // one slice in memory for this client, not nine megabytes
    expect(reads).toHaveLength(1);
    expect(out.received).toHaveLength(1);

    out.destroy();
    expect(await streaming).toBe(false);
    expect(reads).toHaveLength(1);
  });
});
