import { testHttpClient } from '@app/testing/test-http-client';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestTsa, type TestTsa } from './test-tsa';

const run = promisify(execFile);

describe('startTestTsa', () => {
  let tsa: TestTsa;
  let dir: string;
  const http = testHttpClient();

  beforeAll(async () => {
    tsa = await startTestTsa();
    dir = await mkdtemp(join(tmpdir(), 'verbatim-tsa-spec-'));
    await writeFile(join(dir, 'data.txt'), 'checkpoint bytes\n');
    await writeFile(join(dir, 'ca.crt'), tsa.caCertPem);
    await writeFile(join(dir, 'tsa.crt'), tsa.tsaCertPem);
    await run('openssl', ['ts', '-query', '-data', 'data.txt', '-sha256', '-cert', '-out', 'req.tsq'], {
      cwd: dir,
    });
  });
  afterAll(async () => {
    await tsa.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function stamp(): Promise<Buffer> {
    const response = await http.request(tsa.url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: await readFile(join(dir, 'req.tsq')),
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/timestamp-reply');
    return response.body;
  }

  it('answers a timestamp query with a reply that openssl verifies against its CA', async () => {
    await writeFile(join(dir, 'resp.tsr'), await stamp());
    const { stdout } = await run(
      'openssl',
      ['ts', '-verify', '-data', 'data.txt', '-in', 'resp.tsr', '-CAfile', 'ca.crt', '-untrusted', 'tsa.crt'],
      { cwd: dir },
    );
    expect(stdout).toContain('Verification: OK');
    expect(tsa.requestCount()).toBeGreaterThan(0);
  });

  it('in reject mode answers status rejection', async () => {
    tsa.setMode('reject');
    try {
      await writeFile(join(dir, 'rejected.tsr'), await stamp());
    } finally {
      tsa.setMode('ok');
    }
    const { stdout } = await run('openssl', ['ts', '-reply', '-in', 'rejected.tsr', '-text'], { cwd: dir });
    expect(stdout).toContain('Status: Rejected');
    expect(stdout).toContain('policy is not supported');
  });

  it('refuses anything but a POSTed timestamp query', async () => {
    expect((await http.request(tsa.url)).status).toBe(405);
    const wrongType = await http.request(tsa.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(wrongType.status).toBe(415);
  });
});
