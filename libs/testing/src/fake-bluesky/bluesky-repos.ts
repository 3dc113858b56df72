import { randomBytes } from 'node:crypto';
import { TID } from '@atproto/common-web';
import { Secp256k1Keypair } from '@atproto/crypto';
import { MemoryBlockstore, Repo, WriteOpAction, concatBytesAsync, getRecords } from '@atproto/repo';
import { type Operation, createOp, updateAtprotoKeyOp } from '@did-plc/lib';
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';

export const POST_COLLECTION = 'app.bsky.feed.post';

/** One account's real AT Protocol repository: records in a Merkle Search Tree, commits signed by its key. */
export interface FakeRepoAccount {
  did: string;
  handle: string;
  displayName: string;
  keypair: Secp256k1Keypair;
  storage: MemoryBlockstore;
  repo: Repo;
  createdAt: string;
  /** the did:plc's signed operations, genesis first (empty for an impostor, whose DID is borrowed) */
  plcOperations: Operation[];
  /** the key that signs PLC operations (the account's rotation key) */
  rotationKey: Secp256k1Keypair;
}

/** A did:plc is 24 base32 characters (lower case, digits 2-7) after the method. */
export function randomPlcDid(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return `did:plc:${[...randomBytes(24)].map((b) => alphabet[b % 32]).join('')}`;
}

/**
 * A new account whose did:plc is derived, as on the real directory, from a genesis operation signed by its
 * rotation key and naming `pdsUrl`. `did`: to make an impostor, a repository claiming another account's DID
 * under a key of its own (it has no operation log).
 */
export async function createRepoAccount(
  handle: string,
  displayName: string,
  options: { pdsUrl?: string; did?: string } = {},
): Promise<FakeRepoAccount> {
  const keypair = await Secp256k1Keypair.create({ exportable: true });
  const rotationKey = await Secp256k1Keypair.create({ exportable: true });
  let did = options.did;
  const plcOperations: Operation[] = [];
  if (!did) {
    const genesis = await createOp({
      signingKey: keypair.did(),
      handle,
      pds: options.pdsUrl ?? 'https://pds.invalid',
      rotationKeys: [rotationKey.did()],
      signer: rotationKey as never,
    });
    did = genesis.did;
    plcOperations.push(genesis.op);
  }
  const storage = new MemoryBlockstore();
  const repo = await Repo.create(storage, did, keypair);
  return {
    did,
    handle,
    displayName,
    keypair,
    storage,
    repo,
    createdAt: new Date().toISOString(),
    plcOperations,
    rotationKey,
  };
}

/** A correctly signed PLC operation moving the account's atproto key to `signingKey` (a did:key). */
export async function plcKeyChange(account: FakeRepoAccount, signingKey: string): Promise<Operation> {
  return updateAtprotoKeyOp(account.plcOperations.at(-1)!, account.rotationKey as never, signingKey);
}

export function nextRkey(): string {
  return TID.nextStr();
}

type PostRecord = Record<string, unknown>;

/** Creates or rewrites a post record; answers the record's CID in the new signed tree. */
export async function writePost(
  account: FakeRepoAccount,
  rkey: string,
  record: PostRecord,
  action: 'create' | 'update',
): Promise<string> {
  const write =
    action === 'create'
      ? { action: WriteOpAction.Create as const, collection: POST_COLLECTION, rkey, record }
      : { action: WriteOpAction.Update as const, collection: POST_COLLECTION, rkey, record };
  account.repo = await account.repo.applyWrites(write as never, account.keypair);
  const cid = await account.repo.data.get(`${POST_COLLECTION}/${rkey}`);
  if (!cid) throw new Error(`fake Bluesky: ${rkey} was not written`);
  return cid.toString();
}

export async function deletePost(account: FakeRepoAccount, rkey: string): Promise<void> {
  account.repo = await account.repo.applyWrites(
    { action: WriteOpAction.Delete, collection: POST_COLLECTION, rkey } as never,
    account.keypair,
  );
}

/** What `com.atproto.sync.getRecord` answers: a CAR of the signed commit, the MST path and the record. */
export async function recordProofCar(account: FakeRepoAccount, rkey: string): Promise<Buffer> {
  const car = await concatBytesAsync(
    getRecords(account.storage, account.repo.cid, [{ collection: POST_COLLECTION, rkey }]),
  );
  return Buffer.from(car);
}

/** The DID document plc.directory serves for the account, pointing at `pdsUrl`. */
export function didDocumentOf(account: FakeRepoAccount, pdsUrl: string): object {
  return {
    '@context': [
      'https://www.w3.org/ns/did/v1',
      'https://w3id.org/security/multikey/v1',
      'https://w3id.org/security/suites/secp256k1-2019/v1',
    ],
    id: account.did,
    alsoKnownAs: [`at://${account.handle}`],
    verificationMethod: [
      {
        id: `${account.did}#atproto`,
        type: 'Multikey',
        controller: account.did,
        publicKeyMultibase: account.keypair.did().replace(/^did:key:/, ''),
      },
    ],
    service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: pdsUrl }],
  };
}

/** What `<plc>/<did>/log/audit` answers: each operation with its CID, none nullified. */
export async function plcAuditEntries(did: string, operations: Operation[]): Promise<object[]> {
  const start = Date.parse('2023-04-12T04:53:57.057Z');
  return Promise.all(
    operations.map(async (operation, index) => ({
      did,
      operation,
      cid: CID.createV1(dagCbor.code, await sha256.digest(dagCbor.encode(operation))).toString(),
      nullified: false,
      createdAt: new Date(start + index * 86_400_000).toISOString(),
    })),
  );
}
