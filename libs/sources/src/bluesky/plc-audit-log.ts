import { validateOperationLog } from '@did-plc/lib';
import { parseBoundedJson } from '@app/core';
import { type DidIdentity } from './did-document';
import { MAX_JSON_BODY_DEPTH } from '../json-body';

/** Real logs hold a handful of operations (creation, key, handle or PDS moves). Each costs a signature check
 * (~15 ms in pure JS), so a hostile directory cannot make one capture check thousands. */
export const PLC_AUDIT_LOG_MAX_OPERATIONS = 100;

/** A log longer than we check: not evidence against the document, only a log we leave unchecked. */
export class PlcLogTooLong extends Error {}

/** What a did:plc's operation log, checked from its genesis, says the account is now. */
export interface PlcLogState {
  did: string;
  /** the repository signing key (`verificationMethods.atproto`) as a did:key */
  signingKey: string;
  /** the PDS origin the log names (`services.atproto_pds.endpoint`) */
  pds: string | null;
  /** handles the log claims (`alsoKnownAs` `at://` entries) */
  handles: string[];
  /** operations checked (nullified ones left out, as the directory itself does) */
  operations: number;
}

/**
 * Checks a did:plc's audit log (exact bytes of `<plc>/<did>/log/audit`) without trusting the directory: the
 * genesis operation must hash to the DID, and every later operation must name the previous one and be
 * signed by one of its rotation keys (`@did-plc/lib` `validateOperationLog`). Throws an Error naming the fault.
 */
export async function readPlcAuditLog(bytes: Uint8Array, did: string): Promise<PlcLogState> {
  const read = parseBoundedJson(Buffer.from(bytes).toString('utf8'), MAX_JSON_BODY_DEPTH);
  if (read.kind !== 'value')
    throw new Error(
      `the PLC audit log of ${did} is ${read.kind === 'too-deep' ? 'nested too deeply' : 'not JSON'}`,
    );
  const entries = read.value;
  if (!Array.isArray(entries) || entries.length === 0)
    throw new Error(`the PLC audit log of ${did} is not a list of operations`);
  if (entries.length > PLC_AUDIT_LOG_MAX_OPERATIONS)
    throw new PlcLogTooLong(
      `the PLC audit log of ${did} holds ${entries.length} operations, more than we check`,
    );
  const operations: unknown[] = [];
  for (const [index, entry] of entries.entries()) {
    if (typeof entry !== 'object' || entry === null || !('operation' in entry))
      throw new Error(`the PLC audit log of ${did}: entry ${index} has no operation`);
    const {
      did: entryDid,
      nullified,
      operation,
    } = entry as { did?: unknown; nullified?: unknown; operation: unknown };
    if (entryDid !== did)
      throw new Error(`the PLC audit log of ${did}: entry ${index} belongs to ${String(entryDid)}`);
    if (nullified !== true) operations.push(operation);
  }
  let state;
  try {
    state = await validateOperationLog(did, operations as never);
  } catch (error) {
    throw new Error(`the PLC audit log of ${did} does not verify: ${describeFault(error)}`);
  }
  if (state === null)
    throw new Error(`the PLC audit log of ${did} ends in a tombstone: the DID was deactivated`);
  const signingKey = state.verificationMethods.atproto;
  if (!signingKey) throw new Error(`the PLC audit log of ${did} names no atproto signing key`);
  return {
    did,
    signingKey,
    pds: state.services.atproto_pds?.endpoint ?? null,
    handles: state.alsoKnownAs
      .filter((aka) => aka.startsWith('at://'))
      .map((aka) => aka.slice('at://'.length)),
    operations: operations.length,
  };
}

/** Throws unless the DID document says what the checked operation log says (signing key and PDS). */
export function assertLogConfirmsDocument(log: PlcLogState, identity: DidIdentity): void {
  if (log.signingKey !== identity.signingKey)
    throw new Error(
      `the DID document of ${log.did} names signing key ${identity.signingKey}, its PLC operation log ends at ${log.signingKey}`,
    );
  if (log.pds !== null && stripSlash(log.pds) !== stripSlash(identity.pds))
    throw new Error(
      `the DID document of ${log.did} names PDS ${identity.pds}, its PLC operation log ${log.pds}`,
    );
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function describeFault(error: unknown): string {
  const name = error instanceof Error ? error.constructor.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  // the library's errors say little in their message; their class names the fault
  return message && message !== name ? `${name}: ${message}` : name;
}
