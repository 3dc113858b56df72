import { getPdsEndpoint, getSigningDidKey } from '@atproto/common-web';
import { parseBoundedJson } from '@app/core';
import { MAX_JSON_BODY_DEPTH } from '../json-body';

/** What a DID document says an AT Protocol account's repository is: where it lives, and the key that signs it. */
export interface DidIdentity {
  did: string;
  /** the PDS's origin (`#atproto_pds` service) */
  pds: string;
  /** the repository's signing key (`#atproto` verification method) as a did:key */
  signingKey: string;
}

/**
 * Reads what a DID document (exact bytes) says about the repository: its PDS and signing key. Throws an
 * Error naming what is missing; it is also used offline, on the document kept in an evidence bundle.
 */
export function identityFromDocument(bytes: Uint8Array, did: string): DidIdentity {
  const read = parseBoundedJson(Buffer.from(bytes).toString('utf8'), MAX_JSON_BODY_DEPTH);
  if (read.kind !== 'value')
    throw new Error(
      `the DID document of ${did} is ${read.kind === 'too-deep' ? 'nested too deeply' : 'not JSON'}`,
    );
  const doc = read.value;
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
