import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestTsa, type TestTsa } from '@app/testing/test-tsa';
import { TimestampResponseError } from './timestamp-errors';
import { createTimestampRequest } from './timestamp-request';
import { parseTimestampResponse } from './timestamp-response';

const run = promisify(execFile);

describe('parseTimestampResponse', () => {
  let tsa: TestTsa;
  beforeAll(async () => {
    tsa = await startTestTsa();
  });
  afterAll(async () => {
    await tsa.close();
  });

  async function reply(): Promise<Uint8Array> {
    const response = await fetch(tsa.url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: createTimestampRequest(new Uint8Array(32).fill(7)).der,
    });
    return new Uint8Array(await response.arrayBuffer());
  }

  it('returns the exact token bytes of a granted reply (as openssl extracts them)', async () => {
    const response = await reply();
    const dir = await mkdtemp(join(tmpdir(), 'verbatim-tsr-'));
    try {
      await writeFile(join(dir, 'resp.tsr'), response);
      await run('openssl', ['ts', '-reply', '-in', 'resp.tsr', '-token_out', '-out', 'token.der'], {
        cwd: dir,
      });
      expect(Buffer.from(parseTimestampResponse(response))).toEqual(await readFile(join(dir, 'token.der')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the PKIStatus and failure info when the TSA refuses', async () => {
    tsa.setMode('reject');
    const response = await reply().finally(() => tsa.setMode('ok'));
    const error = (() => {
      try {
        parseTimestampResponse(response);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TimestampResponseError);
    expect(error).toMatchObject({ status: 'rejection', failInfo: ['unacceptedPolicy'] });
    expect((error as Error).message).toMatch(
      /PKIStatus rejection \(failInfo unacceptedPolicy: ".*policy.*"\)/,
    );
  });

  it('refuses bytes that are not a TimeStampResp', () => {
    expect(() => parseTimestampResponse(new Uint8Array([1, 2, 3]))).toThrow(/malformed TimeStampResp/);
    // granted, but no token
    expect(() => parseTimestampResponse(new Uint8Array([0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00]))).toThrow(
      /granted without a timeStampToken/,
    );
  });
});
