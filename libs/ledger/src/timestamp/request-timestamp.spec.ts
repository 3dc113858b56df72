import { createHash } from 'node:crypto';
import { startTestTsa, type TestTsa } from '@app/testing/test-tsa';
import { requestTimestamp, type TimestampPost } from './request-timestamp';
import { TimestampResponseError, TimestampVerificationError } from './timestamp-errors';
import { verifyTimestampToken } from './timestamp-token';

/** The POST the app would build on its guarded HTTP client; fetch keeps the ledger's tests free of other libs. */
const fetchPost: TimestampPost = async (url, body, contentType) => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: new Uint8Array(await response.arrayBuffer()),
  };
};

describe('requestTimestamp', () => {
  let tsa: TestTsa;
  const digest = new Uint8Array(createHash('sha256').update('checkpoint').digest());

  beforeAll(async () => {
    tsa = await startTestTsa();
  });
  afterAll(async () => {
    await tsa.close();
  });
  afterEach(() => tsa.setMode('ok'));

  it('returns a verified token that verifies again later from storage', async () => {
    const { token, info } = await requestTimestamp(tsa.url, digest, fetchPost, {
      trustedCerts: [tsa.caCertPem],
    });
    expect(info).toMatchObject({ chainVerified: true, hashAlgorithm: 'SHA-256', tsaName: 'CN=Test TSA' });
    expect(info.nonce).not.toBeNull();
    const again = await verifyTimestampToken(token, { digest, trustedCerts: [tsa.caCertPem] });
    expect(again.genTime).toEqual(info.genTime);
  });

  it('refuses a TSA that stamps other data than asked', async () => {
    tsa.setMode('wrong-digest');
    await expect(requestTimestamp(tsa.url, digest, fetchPost)).rejects.toThrow(TimestampVerificationError);
    await expect(requestTimestamp(tsa.url, digest, fetchPost)).rejects.toThrow(/messageImprint/);
  });

  it('surfaces a rejection with its status', async () => {
    tsa.setMode('reject');
    await expect(requestTimestamp(tsa.url, digest, fetchPost)).rejects.toThrow(/PKIStatus rejection/);
  });

  it('refuses an HTTP error or an answer that is not a timestamp reply', async () => {
    const post = (status: number, contentType: string | null): TimestampPost => {
      return async () => ({ status, contentType, body: new Uint8Array() });
    };
    await expect(requestTimestamp(tsa.url, digest, post(503, 'text/plain'))).rejects.toThrow(/HTTP 503/);
    const html = requestTimestamp(tsa.url, digest, post(200, 'text/html'));
    await expect(html).rejects.toThrow(TimestampResponseError);
    await expect(requestTimestamp(tsa.url, digest, post(200, null))).rejects.toThrow(
      /not application\/timestamp-reply/,
    );
  });

  it('posts an application/timestamp-query', async () => {
    const seen: string[] = [];
    await requestTimestamp(tsa.url, digest, async (url, body, contentType) => {
      seen.push(contentType);
      return fetchPost(url, body, contentType);
    });
    expect(seen).toEqual(['application/timestamp-query']);
  });
});
