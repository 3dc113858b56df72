import { ErrorCode, SourceError } from '@app/core';
import {
  createRepoAccount,
  didDocumentOf,
  plcAuditEntries,
  type FakeRepoAccount,
} from '@app/testing/fake-bluesky/bluesky-repos';
import { type HttpResponse } from '../http';
import { resolveDid } from './bluesky-identity';

const PLC = 'https://plc.example';
const PDS = 'https://pds.example';

function answer(url: URL, status: number, value: unknown): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    head: Buffer.from(`HTTP/1.1 ${status}\r\n\r\n`),
    body: Buffer.from(JSON.stringify(value)),
    url: url.href,
    redirects: [],
    retryAt: null,
  };
}

describe('resolveDid: the PLC audit log beside the DID document', () => {
  /** A directory that serves the document, and answers the audit log as `audit` says. */
  async function directory(audit: (url: URL, account: FakeRepoAccount) => Promise<HttpResponse>) {
    const account = await createRepoAccount('mfa.example', 'MFA', { pdsUrl: PDS });
    const request = async (url: URL | string): Promise<HttpResponse> => {
      const at = new URL(url);
      if (at.pathname.endsWith('/log/audit')) return audit(at, account);
      return answer(at, 200, didDocumentOf(account, PDS));
    };
    return { account, http: { request } };
  }

  it('keeps the document alone when the directory cannot serve the log', async () => {
    const { account, http } = await directory(async (url) => answer(url, 503, {}));
    const resolved = await resolveDid(http, account.did, PLC);
    expect(resolved.log).toBeNull();
    expect(resolved.identity).toMatchObject({ did: account.did, pds: PDS });
  });

  it('checks the log when it is served', async () => {
    const { account, http } = await directory(async (url, served) =>
      answer(url, 200, await plcAuditEntries(served.did, served.plcOperations)),
    );
    const resolved = await resolveDid(http, account.did, PLC);
    expect(resolved.log).toMatchObject({ did: account.did, pds: PDS });
  });

  it('fails the whole resolution when our own load refused the log, so it is tried again with it', async () => {
    const overload = new SourceError(ErrorCode.LocalOverload, 'response not read: this process is busy');
    const { account, http } = await directory(async () => Promise.reject(overload));
    await expect(resolveDid(http, account.did, PLC)).rejects.toBe(overload);
  });
});
