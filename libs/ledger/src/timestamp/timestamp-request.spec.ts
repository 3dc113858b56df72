import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toHex } from '../bytes';
import { createTimestampRequest } from './timestamp-request';

const run = promisify(execFile);

/** What `openssl ts -query -text` reads in a DER TimeStampReq. */
async function opensslText(der: Uint8Array): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'verbatim-tsq-'));
  try {
    await writeFile(join(dir, 'req.tsq'), der);
    return (await run('openssl', ['ts', '-query', '-in', 'req.tsq', '-text'], { cwd: dir })).stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('createTimestampRequest', () => {
  const digest = new Uint8Array(32).map((_, i) => i);

  it('builds a version 1 SHA-256 request that openssl reads back', async () => {
    const request = createTimestampRequest(digest, {
      nonce: 0xff00000000000001n,
      policy: '1.3.6.1.4.1.55555.1',
    });
    const text = await opensslText(request.der);
    expect(text).toContain('Version: 1');
    expect(text).toContain('Hash Algorithm: sha256');
    expect(text).toContain('00 01 02 03 04 05 06 07-08 09 0a 0b 0c 0d 0e 0f');
    expect(text).toContain('Policy OID: 1.3.6.1.4.1.55555.1');
    // a nonce with its high bit set stays positive
    expect(text).toContain('Nonce: 0xFF00000000000001');
    expect(text).toContain('Certificate required: yes');
    expect(toHex(request.nonce)).toBe('ff00000000000001');
  });

  it('uses a fresh random 8-byte nonce by default, and can leave the certificate out', async () => {
    const first = createTimestampRequest(digest);
    const second = createTimestampRequest(digest, { certReq: false });
    expect(first.nonce.length).toBeLessThanOrEqual(8);
    expect(toHex(first.nonce)).not.toBe(toHex(second.nonce));
    const text = await opensslText(second.der);
    expect(text).toContain('Certificate required: no');
    expect(text).toContain('Policy OID: unspecified');
  });

  it('takes a nonce given as bytes', async () => {
    const request = createTimestampRequest(digest, { nonce: new Uint8Array([0, 0, 1, 2]) });
    expect(toHex(request.nonce)).toBe('0102');
    expect(await opensslText(request.der)).toContain('Nonce: 0x0102');
  });

  it('refuses a digest that is not SHA-256 sized', () => {
    expect(() => createTimestampRequest(new Uint8Array(20))).toThrow(/32-byte SHA-256/);
  });
});
