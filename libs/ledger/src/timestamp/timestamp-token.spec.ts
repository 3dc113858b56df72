import { createHash, X509Certificate } from 'node:crypto';
import { startTestTsa, type TestTsa, type TestTsaMode } from '@app/testing/test-tsa';
import { toHex } from '../bytes';
import { createTimestampRequest } from './timestamp-request';
import { parseTimestampResponse } from './timestamp-response';
import { TimestampVerificationError } from './timestamp-errors';
import { verifyTimestampToken } from './timestamp-token';

const sha256 = (text: string): Uint8Array => new Uint8Array(createHash('sha256').update(text).digest());

/** Asks the test TSA (in `mode`) for a token over `digest`. */
async function stamp(tsa: TestTsa, digest: Uint8Array, mode: TestTsaMode = 'ok') {
  tsa.setMode(mode);
  try {
    const request = createTimestampRequest(digest);
    const response = await fetch(tsa.url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: request.der,
    });
    expect(response.status).toBe(200);
    return {
      token: parseTimestampResponse(new Uint8Array(await response.arrayBuffer())),
      nonce: request.nonce,
    };
  } finally {
    tsa.setMode('ok');
  }
}

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TimestampVerificationError);
  return (error as Error).message;
}

describe('verifyTimestampToken (tokens made by openssl)', () => {
  let tsa: TestTsa;
  let otherTsa: TestTsa;
  const digest = sha256('checkpoint 42');
  let token: Uint8Array;
  let nonce: Uint8Array;
  let requestedAt: number;

  beforeAll(async () => {
    [tsa, otherTsa] = await Promise.all([startTestTsa(), startTestTsa()]);
    requestedAt = Date.now();
    ({ token, nonce } = await stamp(tsa, digest));
  });
  afterAll(async () => {
    await Promise.all([tsa.close(), otherTsa.close()]);
  });

  it('verifies a token against its CA and reports what was stamped', async () => {
    const info = await verifyTimestampToken(token, { digest, nonce, trustedCerts: [tsa.caCertPem] });
    expect(info).toEqual({
      genTime: expect.any(Date),
      tsaName: 'CN=Test TSA',
      serialNumber: expect.stringMatching(/^[0-9a-f]+$/),
      policy: '1.2.3.4.1',
      signerCertificate: 'CN=Test TSA',
      hashAlgorithm: 'SHA-256',
      nonce: toHex(nonce),
      chainVerified: true,
    });
    // openssl stamps whole seconds
    expect(Math.abs(info.genTime.getTime() - requestedAt)).toBeLessThan(60_000);
    expect(info.genTime.getUTCMilliseconds()).toBe(0);
  });

  it('accepts trust anchors as DER, and reports chainVerified false when given none', async () => {
    const caDer = new Uint8Array(new X509Certificate(tsa.caCertPem).raw);
    expect((await verifyTimestampToken(token, { digest, trustedCerts: [caDer] })).chainVerified).toBe(true);
    expect((await verifyTimestampToken(token, { digest })).chainVerified).toBe(false);
  });

  it('fails on another digest, naming the messageImprint', async () => {
    const message = await failure(verifyTimestampToken(token, { digest: sha256('checkpoint 43'), nonce }));
    expect(message).toMatch(/messageImprint/);
  });

  it('fails on another nonce', async () => {
    const message = await failure(verifyTimestampToken(token, { digest, nonce: 12345n }));
    expect(message).toMatch(/nonce does not match/);
  });

  it('fails when the signer certificate has no timeStamping EKU, naming the EKU', async () => {
    const noEku = await stamp(tsa, digest, 'no-eku');
    const message = await failure(
      verifyTimestampToken(noEku.token, { digest, trustedCerts: [tsa.caCertPem] }),
    );
    expect(message).toMatch(/extendedKeyUsage/);
  });

  it('fails when the timeStamping EKU is not critical', async () => {
    const lax = await stamp(tsa, digest, 'eku-not-critical');
    const message = await failure(verifyTimestampToken(lax.token, { digest, trustedCerts: [tsa.caCertPem] }));
    expect(message).toMatch(/extendedKeyUsage is not critical/);
  });

  it('fails the chain against the trust anchor of another CA', async () => {
    const message = await failure(
      verifyTimestampToken(token, { digest, trustedCerts: [otherTsa.caCertPem] }),
    );
    expect(message).toMatch(/^certificate chain/);
  });

  it('fails the ESS binding when the embedded signer certificate was altered (no trust anchor to catch it)', async () => {
    const signerDer = new Uint8Array(new X509Certificate(tsa.tsaCertPem).raw);
    const at = Buffer.from(token).indexOf(Buffer.from(signerDer));
    expect(at).toBeGreaterThan(0);
    const altered = token.slice();
    altered[at + signerDer.length - 1] ^= 0x01; // last byte of the certificate's own signature
    const message = await failure(verifyTimestampToken(altered, { digest }));
    expect(message).toMatch(/ESS signing-certificate hash/);
  });

  it('fails with one flipped byte anywhere in the token', async () => {
    // every byte was checked once (TIMESTAMP_FLIP_EVERY_BYTE=1); a verification costs tens of ms, so sample
    const stride = process.env.TIMESTAMP_FLIP_EVERY_BYTE ? 1 : 7;
    const accepted: number[] = [];
    for (let offset = 0; offset < token.length; offset += stride) {
      const flipped = token.slice();
      flipped[offset] ^= 0x01;
      await verifyTimestampToken(flipped, { digest, nonce, trustedCerts: [tsa.caCertPem] }).then(
        () => accepted.push(offset),
        (error: unknown) => {
          if (!(error instanceof TimestampVerificationError)) throw error;
        },
      );
    }
    expect(accepted).toEqual([]);
  });

  it('refuses bytes that are not a timestamp token', async () => {
    expect(await failure(verifyTimestampToken(new Uint8Array([0x30, 0x00]), { digest }))).toMatch(
      /SignedData/,
    );
    expect(await failure(verifyTimestampToken(digest, { digest }))).toMatch(/DER/);
    const trailing = new Uint8Array([...token, 0]);
    expect(await failure(verifyTimestampToken(trailing, { digest }))).toMatch(/DER/);
  });
});
