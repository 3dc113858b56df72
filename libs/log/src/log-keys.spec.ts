import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createKeyFile, loadOrCreateKey } from './log-keys';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('log key creation', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'verbatim-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a key with mode 0600 once, then reads the same key', () => {
    const path = join(dir, 'data', 'log-key.pem');
    const first = loadOrCreateKey(path, true);
    const again = loadOrCreateKey(path, true);

    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(hex(again.publicKey)).toBe(hex(first.publicKey));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'data'))).toEqual(['log-key.pem']);
  });

  it('a creator that loses the race leaves the winner key in place and reads it', () => {
    const path = join(dir, 'log-key.pem');
    const winner = createKeyFile(path);
    const winnerPem = readFileSync(path, 'utf8');

    // the loser checked before the winner published, so it tries to create too
    expect(createKeyFile(path)).toBeNull();
    expect(readFileSync(path, 'utf8')).toBe(winnerPem);
    const loaded = loadOrCreateKey(path, true);
    expect(loaded.created).toBe(false);
    expect(loaded.privateKey.export({ type: 'pkcs8', format: 'pem' })).toBe(
      winner!.export({ type: 'pkcs8', format: 'pem' }),
    );
    // no temporary file is left behind by either
    expect(readdirSync(dir)).toEqual(['log-key.pem']);
  });

  it('refuses to create when not asked to', () => {
    expect(() => loadOrCreateKey(join(dir, 'missing.pem'), false)).toThrow(/does not exist/);
  });

  // Processes racing for real, through the built module (node scripts/build.mjs; npm run test:unit builds it).
  const built = resolve(__dirname, '../../../dist/libs/log/src/log-keys.js');
  (existsSync(built) ? it : it.skip)('processes starting together all end up with one key', async () => {
    const path = join(dir, 'data', 'log-key.pem');
    const startAt = Date.now() + 700;
    // each child loads the module first, then waits for the same instant, so the creations overlap
    const child = `const { loadOrCreateKey } = require(${JSON.stringify(built)});
      while (Date.now() < ${startAt});
      const key = loadOrCreateKey(${JSON.stringify(path)}, true);
      process.stdout.write(Buffer.from(key.publicKey).toString('hex') + ' ' + key.created);`;
    const run = promisify(execFile);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => run(process.execPath, ['-e', child]).then((r) => r.stdout.split(' '))),
    );

    const keys = new Set(results.map(([key]) => key));
    expect(keys.size).toBe(1);
    expect(results.filter(([, created]) => created === 'true')).toHaveLength(1);
    expect(hex(loadOrCreateKey(path, false).publicKey)).toBe([...keys][0]);
    expect(readdirSync(join(dir, 'data'))).toEqual(['log-key.pem']);
  });
});
