import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestTsa } from '@app/testing/test-tsa';
import { readTsaTrustFile } from './tsa-trust';

const WHAT_TO_SET =
  "point it at a PEM file of the certificates the TSAs' tokens must chain to (-----BEGIN CERTIFICATE-----), " +
  'or unset it to store tokens without checking their chain';

describe('readTsaTrustFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'verbatim-tsa-trust-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads nothing when no file is set: tokens are checked without a chain', () => {
    expect(readTsaTrustFile(null)).toBeUndefined();
  });

  it("returns a PEM file's certificates", async () => {
    const tsa = await startTestTsa();
    try {
      const file = join(dir, 'tsa-ca.pem');
      writeFileSync(file, tsa.caCertPem);
      expect(readTsaTrustFile(file)).toEqual([tsa.caCertPem]);
    } finally {
      await tsa.close();
    }
  });

  it('refuses a file that does not exist, naming the setting and what to set it to', () => {
    const file = join(dir, 'nonexistent.pem');
    expect(() => readTsaTrustFile(file)).toThrow(
      `VERBATIM_TSA_TRUST_FILE: cannot read ${file} (no such file); ${WHAT_TO_SET}`,
    );
    expect(() => readTsaTrustFile(dir)).toThrow(
      `VERBATIM_TSA_TRUST_FILE: cannot read ${dir} (it is a directory); ${WHAT_TO_SET}`,
    );
  });

  it('refuses a file that holds no certificate', () => {
    const file = join(dir, 'key.pem');
    writeFileSync(file, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    expect(() => readTsaTrustFile(file)).toThrow(
      `VERBATIM_TSA_TRUST_FILE: ${file} holds no usable certificate ` +
        `(a trusted certificate string holds no PEM CERTIFICATE block); ${WHAT_TO_SET}`,
    );
  });
});
