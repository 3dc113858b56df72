import { ARTIFACT_ROLES, ErrorCode, SourceError } from '@app/core';
import { type RawArtifact } from '../connector';
import { type GuardedHttpClient, throwForStatus } from '../http';
import { type DidIdentity, identityFromDocument } from './did-document';

/** A DID document is a few kilobytes; anything far larger is not one. */
const DID_DOCUMENT_MAX_BYTES = 256 * 1024;

export const DID_DOCUMENT_MEDIA_TYPE = 'application/did+json';

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
