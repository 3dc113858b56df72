import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@app/config';
import { loadLogKey } from '@app/log';
import { checkLocalFiles } from './local-files';

const BOTH = { api: true, worker: true };

describe('checkLocalFiles (before the server is built)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'verbatim-local-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const config = (env: Record<string, string>) =>
    loadConfig({ VERBATIM_DATA_DIR: join(dir, 'data'), ...env });

  it('makes a missing data directory and leaves a missing key for the log module to generate', () => {
    expect(() => checkLocalFiles(config({}), BOTH)).not.toThrow();
    const generated = loadLogKey({ origin: 'o.test/log', keyFile: null, dataDir: join(dir, 'data') });
    expect(generated.created).toBe(true);
  });

  it('refuses a default key that is no key, naming VERBATIM_DATA_DIR, and never replaces it', () => {
    const keyPath = join(dir, 'data', 'log-key.pem');
    checkLocalFiles(config({}), BOTH);
    writeFileSync(keyPath, 'not a key');
    expect(() => checkLocalFiles(config({}), BOTH)).toThrow(
      `VERBATIM_DATA_DIR: key file ${keyPath} is not a PKCS#8 PEM private key`,
    );
    expect(readFileSync(keyPath, 'utf8')).toBe('not a key');
  });

  it('checks the witness key file only where the API witnesses a log', () => {
    const missing = join(dir, 'witness.pem');
    const { verifierKey } = loadLogKey({
      origin: 'other.test/log',
      keyFile: null,
      dataDir: join(dir, 'other'),
    });
    const witnessing = config({ VERBATIM_WITNESS_KEY_FILE: missing, VERBATIM_WITNESS_FOR: verifierKey });
    expect(() => checkLocalFiles(witnessing, BOTH)).toThrow(
      `VERBATIM_WITNESS_KEY_FILE: key file ${missing} does not exist`,
    );
    expect(() => checkLocalFiles(witnessing, { api: false, worker: true })).not.toThrow();
    expect(() => checkLocalFiles(config({ VERBATIM_WITNESS_KEY_FILE: missing }), BOTH)).not.toThrow();
  });
});
