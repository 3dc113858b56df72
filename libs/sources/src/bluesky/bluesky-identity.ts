import { getPdsEndpoint, getSigningDidKey } from '@atproto/common-web';
import { ARTIFACT_ROLES, ErrorCode, SourceError } from '@app/core';
import { type RawArtifact } from '../connector';
import { type GuardedHttpClient, throwForStatus } from '../http';

/** A DID document is a few kilobytes; anything far larger is not one. */
const DID_DOCUMENT_MAX_BYTES = 256 * 1024;

export const DID_DOCUMENT_MEDIA_TYPE = 'application/did+json';

/** What a DID document says an AT Protocol account's repository is: where it lives, and the key that signs it. */
export interface DidIdentity {
  did: string;
  /** the PDS's origin (`#atproto_pds` service) */
  pds: string;
  /** the repository's signing key (`#atproto` verification method) as a did:key */
  signingKey: string;
}

/**
 * Where a DID's document is published: did:plc at the PLC directory (`<plc>/<did>`), did:web at
 * `https://<host>/.well-known/did.json` (did:web with a path is not used by AT Protocol).
 */
export function didDocumentUrl(did: string, plcUrl: string): URL {
  if (did.startsWith('did:plc:')) return new URL(`${plcUrl.replace(/\/+$/, '')}/${did}`);
  const web = /^did:web:([^:]+)$/.exec(did);
  if (web) return new URL(`https://${decodeURIComponent(web[1])}/.well-known/did.json`);
  throw new SourceError(ErrorCode.SourceInvalidResponse, `${did}: not a did:plc or did:web`);
}

/**
 * Reads what a DID document (exact bytes) says about the repository: its PDS and signing key. Throws an
 * Error naming what is missing; it is also used offline, on the document kept in an evidence bundle.
 */
export function identityFromDocument(bytes: Uint8Array, did: string): DidIdentity {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new Error(`the DID document of ${did} is not JSON`);
  }
  if (typeof doc !== 'object' || doc === null || (doc as { id?: unknown }).id !== did) {
    throw new Error(`the DID document is not the document of ${did} (its id differs)`);
  }
  let signingKey: string | undefined;
  let pds: string | undefined;
  try {
    signingKey = getSigningDidKey(doc as never);
    pds = getPdsEndpoint(doc as never);
  } catch (error) {
    throw new Error(`the DID document of ${did} is malformed: ${(error as Error).message}`);
  }
  if (!signingKey) throw new Error(`the DID document of ${did} names no #atproto signing key`);
  if (!pds || !/^https?:\/\//i.test(pds)) throw new Error(`the DID document of ${did} names no PDS`);
  return { did, pds, signingKey };
}

/** Fetches a DID document through the guarded client; answers the identity and the bytes to keep. */
export async function resolveDid(
  http: Pick<GuardedHttpClient, 'request'>,
  did: string,
  plcUrl: string,
): Promise<{ identity: DidIdentity; artifact: RawArtifact }> {
  const what = `DID document of ${did}`;
  const response = await http.request(didDocumentUrl(did, plcUrl), {
    headers: { Accept: 'application/did+ld+json, application/json' },
    maxBytes: DID_DOCUMENT_MAX_BYTES,
  });
  throwForStatus(response, what);
  let identity: DidIdentity;
  try {
    identity = identityFromDocument(response.body, did);
  } catch (error) {
    throw new SourceError(ErrorCode.SourceInvalidResponse, (error as Error).message);
  }
  return {
    identity,
    artifact: { role: ARTIFACT_ROLES.didLog, mediaType: DID_DOCUMENT_MEDIA_TYPE, bytes: response.body },
  };
}
