import { ARTIFACT_ROLES, ErrorCode, SourceError, isLocalOverload } from '@app/core';
import { type RawArtifact } from '../connector';
import { type GuardedHttpClient, throwForStatus } from '../http';
import { type DidIdentity, identityFromDocument } from './did-document';
import { type PlcLogState, PlcLogTooLong, assertLogConfirmsDocument, readPlcAuditLog } from './plc-audit-log';

/** A DID document is a few kilobytes; anything far larger is not one. */
const DID_DOCUMENT_MAX_BYTES = 256 * 1024;
/** An audit log entry is about a kilobyte; 100 operations fit well inside. */
const PLC_AUDIT_LOG_MAX_BYTES = 512 * 1024;

/**
 * The identity sources contradict each other (the operation log does not verify, or names another key than
 * the DID document): false evidence from the directory, not an absence of it.
 */
export class IdentityContradiction extends Error {}

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

export interface ResolvedIdentity {
  identity: DidIdentity;
  /** the DID document, then (did:plc, when the directory served it) the audit log that certifies it */
  artifacts: RawArtifact[];
  /** what the checked PLC operation log says; null for did:web, or when the directory served none we check */
  log: PlcLogState | null;
}

/**
 * Fetches a DID document through the guarded client and, for did:plc, its audit log, checked from the
 * genesis operation and required to agree with the document. Throws SourceError when the document cannot be
 * had, IdentityContradiction when the log does not verify or disagrees.
 */
export async function resolveDid(
  http: Pick<GuardedHttpClient, 'request'>,
  did: string,
  plcUrl: string,
): Promise<ResolvedIdentity> {
  const document = await fetchDidDocument(http, did, plcUrl);
  // a did:web has no operation log: its document is what its host served
  if (!did.startsWith('did:plc:')) return { ...document, log: null };
  const audit = await fetchAuditLog(http, did, plcUrl);
  if (audit.kind === 'missing') return { ...document, log: null };
  let log: PlcLogState;
  try {
    log = await readPlcAuditLog(audit.artifact.bytes, did);
    assertLogConfirmsDocument(log, document.identity);
  } catch (error) {
    // a log too long to check is left unchecked (and not kept): the document stands alone, as without a log
    if (error instanceof PlcLogTooLong) return { ...document, log: null };
    throw new IdentityContradiction((error as Error).message);
  }
  return {
    identity: document.identity,
    artifacts: [...document.artifacts, audit.artifact],
    log,
  };
}

async function fetchAuditLog(
  http: Pick<GuardedHttpClient, 'request'>,
  did: string,
  plcUrl: string,
): Promise<{ kind: 'fetched'; artifact: RawArtifact } | { kind: 'missing' }> {
  const url = new URL(`${plcUrl.replace(/\/+$/, '')}/${did}/log/audit`);
  try {
    const response = await http.request(url, {
      headers: { Accept: 'application/json' },
      maxBytes: PLC_AUDIT_LOG_MAX_BYTES,
    });
    throwForStatus(response, `PLC audit log of ${did}`);
    return {
      kind: 'fetched',
      artifact: {
        role: ARTIFACT_ROLES.plcAuditLog,
        mediaType: 'application/json',
        bytes: response.body,
        url: url.href,
      },
    };
  } catch (error) {
    // our own load refused it: try the whole capture again rather than keep it without its log
    if (isLocalOverload(error) || !(error instanceof SourceError)) throw error;
    return { kind: 'missing' };
  }
}

async function fetchDidDocument(
  http: Pick<GuardedHttpClient, 'request'>,
  did: string,
  plcUrl: string,
): Promise<{ identity: DidIdentity; artifacts: RawArtifact[] }> {
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
    artifacts: [{ role: ARTIFACT_ROLES.didLog, mediaType: DID_DOCUMENT_MEDIA_TYPE, bytes: response.body }],
  };
}
