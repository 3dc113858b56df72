import { type PlatformProofChecker } from '@app/ledger';
import { toUtcTimestamp, withoutNulCharacters } from '@app/core';
import { identityFromDocument } from './did-document';
import { assertLogConfirmsDocument, readPlcAuditLog } from './plc-audit-log';
import { POST_COLLECTION, parsePostUri } from './bluesky-urls';
import { RecordProofError, verifyRecordProof } from './record-proof';

/**
 * `verbatim verify`'s check of a Bluesky record's proof, offline: the CAR kept at capture (`record-proof`)
 * holds a commit signed by the key the kept DID document (`did-log`) names, whose tree holds the record at
 * the post's path with the CID the record states, and the signed record says what the captured record says.
 * When the did:plc's audit log was kept (`plc-audit-log`), the document itself is checked against it: the log
 * must hash to the DID from its genesis, carry valid rotation-key signatures, and end at the same key.
 */
export const checkBlueskyRecordProof: PlatformProofChecker = async ({ record, artifacts }) => {
  if (record.platform !== 'bluesky') return null;
  const car = artifacts.find((a) => a.role === 'record-proof');
  const document = artifacts.find((a) => a.role === 'did-log');
  if (!car) throw new Error('the record proof (CAR) is not included');
  if (!document) throw new Error('the DID document is not included, so the signing key is unknown');
  const uri = typeof record.postId === 'string' ? record.postId : '';
  const ref = parsePostUri(uri);
  if (!ref) throw new Error(`the record's postId ${JSON.stringify(uri)} is not an at:// post URI`);
  const identity = identityFromDocument(document.bytes, ref.did);
  const auditLog = artifacts.find((a) => a.role === 'plc-audit-log');
  let keySource =
    'the key its DID document names (as the directory served it at capture; no operation log kept)';
  // without the operation log, that the key is the account's rests on the document as the archive kept it
  let keyConfirmed = false;
  if (auditLog) {
    try {
      const log = await readPlcAuditLog(auditLog.bytes, ref.did);
      assertLogConfirmsDocument(log, identity);
      keySource = `the key its DID document names, confirmed by its PLC operation log (${log.operations} signed operations from the genesis that hashes to the DID)`;
      keyConfirmed = true;
    } catch (error) {
      throw new Error(`identity-mismatch: ${(error as Error).message}`);
    }
  } else if (!ref.did.startsWith('did:plc:')) {
    keySource = 'the key its did:web document names (as its host served it at capture)';
  }
  let proven;
  try {
    proven = await verifyRecordProof({
      car: car.bytes,
      did: ref.did,
      signingKey: identity.signingKey,
      collection: POST_COLLECTION,
      rkey: ref.rkey,
      ...(typeof record.cid === 'string' ? { expectedCid: record.cid } : {}),
    });
  } catch (error) {
    if (error instanceof RecordProofError) throw new Error(`${error.reason}: ${error.message}`);
    throw error;
  }
  // the stored record carries U+FFFD for U+0000 (PostgreSQL cannot hold it)
  if (withoutNulCharacters(proven.record.text) !== record.text)
    throw new Error(`content-mismatch: the signed record's text differs from the captured record's`);
  if (toUtcTimestamp(proven.record.createdAt as string) !== record.authoredAt)
    throw new Error(`content-mismatch: the signed record's createdAt differs from the captured authoredAt`);
  return {
    detail: `record ${proven.cid} at ${POST_COLLECTION}/${ref.rkey} in commit ${proven.commitCid} (rev ${proven.rev}) of ${ref.did}, signed by ${identity.signingKey}, ${keySource}`,
    proven: keyConfirmed
      ? `${ref.did} signed this record (CID ${proven.cid}): its words and time are the account's own, verified against the signing key of the DID document kept at capture, which the DID's own operation log confirms.`
      : `The key ${identity.signingKey} signed this record (CID ${proven.cid}). That this key is ${ref.did}'s rests on the DID document as the archive kept it (${ref.did.startsWith('did:plc:') ? 'its PLC operation log was not kept' : 'a did:web document is its host’s word'}): compare the key with ${ref.did}'s history elsewhere to make the words the account's own.`,
  };
};
