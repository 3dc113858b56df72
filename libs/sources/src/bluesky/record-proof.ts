import {
  type Commit,
  MST,
  MemoryBlockstore,
  def,
  formatDataKey,
  readCarWithRoot,
  verifyCommitSig,
} from '@atproto/repo';

/** Why a record proof did not verify, named so that a report can say what to look at. */
export type RecordProofFailure =
  /** the bytes are not a CAR file with one root */
  | 'car-unreadable'
  /** a block's bytes do not hash to the CID it is stored under */
  | 'block-mismatch'
  /** the root block is not a signed repository commit */
  | 'not-a-commit'
  /** the commit is for another repository (DID) */
  | 'wrong-repository'
  /** the commit signature does not verify with the signing key given */
  | 'bad-signature'
  /** the signed tree does not hold the record, or the proof lacks the blocks leading to it */
  | 'record-not-proven'
  /** the record is proven but is not the one expected (another CID) */
  | 'cid-mismatch';

export class RecordProofError extends Error {
  constructor(
    readonly reason: RecordProofFailure,
    message: string,
  ) {
    super(message);
    this.name = 'RecordProofError';
  }
}

export interface RecordProofClaim {
  /** `com.atproto.sync.getRecord`'s answer: a CAR whose root is the signed commit, with the MST path */
  car: Uint8Array;
  /** the repository's DID */
  did: string;
  /** the DID's signing key as a did:key (from its DID document) */
  signingKey: string;
  collection: string;
  rkey: string;
  /** the CID the record is expected to have (what the AppView served), when known */
  expectedCid?: string;
}

export interface ProvenRecord {
  /** the record's CID in the signed tree */
  cid: string;
  /** the commit that signs the tree */
  commitCid: string;
  /** the commit's revision (a TID) */
  rev: string;
  /** the record as stored (decoded DAG-CBOR; blob refs and links are CID objects) */
  record: Record<string, unknown>;
}

/**
 * Checks an AT Protocol record proof offline: every block hashes to its CID, the root is a commit of `did`
 * signed by `signingKey`, and its Merkle Search Tree holds the record at `collection/rkey`. Throws
 * RecordProofError naming the first thing that does not hold.
 */
export async function verifyRecordProof(claim: RecordProofClaim): Promise<ProvenRecord> {
  let car: Awaited<ReturnType<typeof readCarWithRoot>>;
  try {
    // readCar re-hashes every block against its CID as it reads
    car = await readCarWithRoot(claim.car);
  } catch (error) {
    const message = (error as Error).message;
    if (/valid CID for bytes/i.test(message)) {
      throw new RecordProofError('block-mismatch', `a block of the CAR does not match its CID: ${message}`);
    }
    throw new RecordProofError('car-unreadable', `the record proof is not a readable CAR file: ${message}`);
  }
  const blocks = new MemoryBlockstore(car.blocks);
  let commit: Commit;
  try {
    commit = await blocks.readObj(car.root, def.commit);
  } catch (error) {
    throw new RecordProofError(
      'not-a-commit',
      `the CAR's root ${car.root.toString()} is not a signed repository commit: ${(error as Error).message}`,
    );
  }
  if (commit.did !== claim.did) {
    throw new RecordProofError(
      'wrong-repository',
      `the commit is for repository ${commit.did}, not ${claim.did}`,
    );
  }
  let signed = false;
  try {
    signed = await verifyCommitSig(commit, claim.signingKey);
  } catch (error) {
    throw new RecordProofError(
      'bad-signature',
      `the commit signature cannot be checked with ${claim.signingKey}: ${(error as Error).message}`,
    );
  }
  if (!signed) {
    throw new RecordProofError(
      'bad-signature',
      `the commit signature does not verify with the DID's signing key ${claim.signingKey}`,
    );
  }
  const path = formatDataKey(claim.collection, claim.rkey);
  let found;
  let record: Record<string, unknown> | null = null;
  try {
    found = await MST.load(blocks, commit.data).get(path);
    if (found) record = (await blocks.attemptReadRecord(found)) as Record<string, unknown> | null;
  } catch (error) {
    throw new RecordProofError(
      'record-not-proven',
      `the proof lacks blocks on the path to ${path}: ${(error as Error).message}`,
    );
  }
  if (!found || !record) {
    throw new RecordProofError('record-not-proven', `the signed tree holds no record at ${path}`);
  }
  const cid = found.toString();
  if (claim.expectedCid !== undefined && claim.expectedCid !== cid) {
    throw new RecordProofError(
      'cid-mismatch',
      `the signed record at ${path} has CID ${cid}, not the expected ${claim.expectedCid}`,
    );
  }
  return { cid, commitCid: car.root.toString(), rev: commit.rev, record };
}
