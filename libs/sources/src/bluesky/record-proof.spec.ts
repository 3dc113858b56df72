import { Secp256k1Keypair } from '@atproto/crypto';
import {
  POST_COLLECTION,
  createRepoAccount,
  nextRkey,
  recordProofCar,
  writePost,
} from '@app/testing/fake-bluesky/bluesky-repos';
import { RecordProofError, verifyRecordProof } from './record-proof';

describe('verifyRecordProof', () => {
  const post = { $type: POST_COLLECTION, text: 'Signed words.', createdAt: '2026-11-01T10:00:00.000Z' };

  async function signedPost() {
    const account = await createRepoAccount('mfa.example', 'MFA');
    const rkey = nextRkey();
    const cid = await writePost(account, rkey, post, 'create');
    // another record, so that the tree has more than the one leaf
    await writePost(account, nextRkey(), { ...post, text: 'Another.' }, 'create');
    const car = await recordProofCar(account, rkey);
    return { account, rkey, cid, car, signingKey: account.keypair.did() };
  }

  async function failure(promise: Promise<unknown>): Promise<RecordProofError> {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RecordProofError);
    return error as RecordProofError;
  }

  it('proves a record the DID signed: its CID and content', async () => {
    const { account, rkey, cid, car, signingKey } = await signedPost();
    const proven = await verifyRecordProof({
      car,
      did: account.did,
      signingKey,
      collection: POST_COLLECTION,
      rkey,
      expectedCid: cid,
    });
    expect(proven.cid).toBe(cid);
    expect(proven.record.text).toBe('Signed words.');
    expect(proven.rev).toBe(account.repo.commit.rev);
  });

  it('fails on a CAR with one flipped byte, naming the reason', async () => {
    const { account, rkey, car, signingKey } = await signedPost();
    // flip a byte of the record block (the words), which sits in the last block of the CAR
    const at = car.lastIndexOf(Buffer.from('Signed words.'));
    expect(at).toBeGreaterThan(0);
    const flipped = Buffer.from(car);
    flipped[at] ^= 0x01;
    const error = await failure(
      verifyRecordProof({ car: flipped, did: account.did, signingKey, collection: POST_COLLECTION, rkey }),
    );
    expect(error.reason).toBe('block-mismatch');
    expect(error.message).toMatch(/does not match its CID/);
  });

  it("fails against another DID's key, naming the signature", async () => {
    const { account, rkey, car } = await signedPost();
    const other = await Secp256k1Keypair.create();
    const error = await failure(
      verifyRecordProof({
        car,
        did: account.did,
        signingKey: other.did(),
        collection: POST_COLLECTION,
        rkey,
      }),
    );
    expect(error.reason).toBe('bad-signature');
    expect(error.message).toContain(other.did());
  });

  it('fails for another repository, another record path or another CID', async () => {
    const { account, rkey, car, signingKey } = await signedPost();
    const claim = { car, did: account.did, signingKey, collection: POST_COLLECTION, rkey };
    expect(
      (await failure(verifyRecordProof({ ...claim, did: 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa' }))).reason,
    ).toBe('wrong-repository');
    expect((await failure(verifyRecordProof({ ...claim, rkey: nextRkey() }))).reason).toBe(
      'record-not-proven',
    );
    const wrongCid = 'bafyreie36hv3vh74dqr7zvswes4ascrqfwd7nrr3tytck5ypyd5d2a5dge';
    expect((await failure(verifyRecordProof({ ...claim, expectedCid: wrongCid }))).reason).toBe(
      'cid-mismatch',
    );
  });

  it('fails on bytes that are not a CAR', async () => {
    const { account, rkey, signingKey } = await signedPost();
    const error = await failure(
      verifyRecordProof({
        car: Buffer.from('{"error":"InternalServerError"}'),
        did: account.did,
        signingKey,
        collection: POST_COLLECTION,
        rkey,
      }),
    );
    expect(error.reason).toBe('car-unreadable');
  });
});
