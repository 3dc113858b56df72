import { ARTIFACT_ROLES, ErrorCode, SourceError, sourceFailureMessage } from '@app/core';
import { type RawArtifact } from '../connector';
import { type GuardedHttpClient } from '../http';
import { IdentityContradiction, type ResolvedIdentity, resolveDid } from './bluesky-identity';
import { POST_COLLECTION } from './bluesky-urls';
import { Xrpc } from './bluesky-xrpc';
import { RecordProofError, verifyRecordProof } from './record-proof';

/** A record proof is a commit, a few tree nodes and one record: kilobytes. */
const RECORD_PROOF_MAX_BYTES = 1024 * 1024;

export const CAR_MEDIA_TYPE = 'application/vnd.ipld.car';

/** The answer to "can this post be proven": the proof's bytes, or why there is none. */
export type ProofOutcome =
  | { kind: 'proven'; artifacts: RawArtifact[]; record: Record<string, unknown> }
  /** no proof could be had (PDS or PLC unreachable, record gone, AppView behind the PDS): evidence of nothing */
  | { kind: 'unproven'; detail: string };

/**
 * Proof of authorship for posts of one repository: resolves its DID document once (PDS and signing key),
 * fetches `com.atproto.sync.getRecord` from the PDS and verifies the CAR before anything is kept. A proof
 * that arrives but does not verify (a bad block, a foreign signature) is not an absence of proof but a source
 * serving false evidence: it throws SourceError, so the poll is a recorded failure naming the reason.
 */
export class BlueskyProver {
  private identity: Promise<ResolvedIdentity> | null = null;

  constructor(
    private readonly http: Pick<GuardedHttpClient, 'request'>,
    private readonly did: string,
    private readonly plcUrl: string,
  ) {}

  async prove(rkey: string, cid: string): Promise<ProofOutcome> {
    let resolved;
    try {
      this.identity ??= resolveDid(this.http, this.did, this.plcUrl);
      resolved = await this.identity;
    } catch (error) {
      if (error instanceof IdentityContradiction)
        throw new SourceError(
          ErrorCode.SourceInvalidResponse,
          `the PLC directory serves false evidence: ${error.message}`,
        );
      return { kind: 'unproven', detail: sourceFailureMessage(error) };
    }
    const { identity, artifacts: identityArtifacts } = resolved;
    const uri = `at://${this.did}/${POST_COLLECTION}/${rkey}`;
    let response;
    try {
      response = await new Xrpc(this.http, identity.pds).get(
        'com.atproto.sync.getRecord',
        { did: this.did, collection: POST_COLLECTION, rkey },
        { maxBytes: RECORD_PROOF_MAX_BYTES, accept: CAR_MEDIA_TYPE },
      );
    } catch (error) {
      return { kind: 'unproven', detail: `record proof of ${uri}: ${sourceFailureMessage(error)}` };
    }
    if (response.status !== 200) {
      return { kind: 'unproven', detail: `record proof of ${uri}: the PDS answered HTTP ${response.status}` };
    }
    let proven;
    try {
      proven = await verifyRecordProof({
        car: response.body,
        did: this.did,
        signingKey: identity.signingKey,
        collection: POST_COLLECTION,
        rkey,
        expectedCid: cid,
      });
    } catch (error) {
      if (!(error instanceof RecordProofError)) throw error;
      // the PDS holds a newer version than the AppView served: a race with an edit, not a forgery
      if (error.reason === 'cid-mismatch') return { kind: 'unproven', detail: error.message };
      throw new SourceError(
        ErrorCode.SourceInvalidResponse,
        `the record proof of ${uri} from ${identity.pds} does not verify (${error.reason}): ${error.message}`,
      );
    }
    return {
      kind: 'proven',
      record: proven.record,
      artifacts: [
        { role: ARTIFACT_ROLES.recordProof, mediaType: CAR_MEDIA_TYPE, bytes: response.body },
        ...identityArtifacts,
      ],
    };
  }
}
