import { generateKeyPairSync } from 'node:crypto';
import {
  consistencyProof,
  ed25519NoteSigner,
  EMPTY_TREE_HASH,
  formatAddCheckpoint,
  formatCheckpoint,
  formatVerifierKey,
  leafHash,
  MemoryNodeStore,
  signNote,
  SIGNATURE_TYPE_ED25519,
  treeHash,
  utf8,
} from '@app/ledger';
import { followedLogs } from './followed-logs';
import { judgeAdvance, readSubmission, type Submission } from './witness-service';

const ORIGIN = 'log.example/verbatim';

function newSigner(name = ORIGIN) {
  return ed25519NoteSigner(name, generateKeyPairSync('ed25519').privateKey);
}
const signer = newSigner();
const logs = followedLogs([
  formatVerifierKey({ name: ORIGIN, type: SIGNATURE_TYPE_ED25519, publicKey: signer.publicKey }),
]);

/** A log of `count` leaves in memory, with the signed checkpoint of any prefix. */
async function memoryLog(count: number) {
  const store = new MemoryNodeStore();
  await store.append(Array.from({ length: count }, (_, i) => leafHash(utf8(`entry ${i}`))));
  const root = (size: number) => treeHash(size, store.read);
  const note = async (size: number, by = signer) =>
    signNote(formatCheckpoint({ origin: by.name, size, rootHash: await root(size) }), by);
  const proof = (from: number, to: number) => consistencyProof(from, to, store.read);
  return { root, note, proof };
}

function submission(body: string): Submission {
  const result = readSubmission(body, logs);
  if (!('checkpoint' in result)) throw new Error(`unexpected rejection ${result.status}: ${result.message}`);
  return result;
}

describe('witness: reading a submission', () => {
  it('accepts a checkpoint signed by the followed key, ignoring unknown signatures', async () => {
    const log = await memoryLog(5);
    const note = await log.note(5);
    const extra = signNote(note.slice(0, note.indexOf('\n\n') + 1), newSigner('other.example/log'));
    const twoSignatures = note + extra.slice(extra.lastIndexOf('\n\n') + 2);
    const result = submission(formatAddCheckpoint(0, [], twoSignatures));
    expect(result.checkpoint).toMatchObject({ origin: ORIGIN, size: 5 });
    expect(result.text).toBe(note.slice(0, note.indexOf('\n\n') + 1));
  });

  it('answers 400 for garbage, a broken note, or an old size beyond the checkpoint', async () => {
    const log = await memoryLog(5);
    expect(readSubmission('hello', logs)).toMatchObject({ status: 400 });
    expect(readSubmission(new Uint8Array([0x6f, 0x6c, 0x64, 0xff]), logs)).toMatchObject({ status: 400 });
    expect(readSubmission('old 0\n\nlog.example/verbatim\n5\n', logs)).toMatchObject({ status: 400 });
    const body = formatAddCheckpoint(6, [new Uint8Array(32)], await log.note(5));
    expect(readSubmission(body, logs)).toMatchObject({ status: 400 });
  });

  it('answers 404 for a log it does not follow and 403 for a signature by another key', async () => {
    const log = await memoryLog(3);
    const stranger = newSigner('stranger.example/log');
    const unknown = signNote(
      formatCheckpoint({ origin: stranger.name, size: 3, rootHash: await log.root(3) }),
      stranger,
    );
    expect(readSubmission(formatAddCheckpoint(0, [], unknown), logs)).toMatchObject({ status: 404 });
    const impostor = await log.note(3, newSigner(ORIGIN));
    expect(readSubmission(formatAddCheckpoint(0, [], impostor), logs)).toMatchObject({ status: 403 });
  });
});

describe('witness: judging an advance', () => {
  it('takes the first checkpoint on trust, then needs old = stored size (409 otherwise)', async () => {
    const log = await memoryLog(8);
    const first = submission(formatAddCheckpoint(0, [], await log.note(5)));
    expect(judgeAdvance(first, null)).toBeNull();
    expect(judgeAdvance(first, { size: 3, root: await log.root(3) })).toMatchObject({ status: 409, size: 3 });
    const later = submission(formatAddCheckpoint(3, await log.proof(3, 8), await log.note(8)));
    expect(judgeAdvance(later, null)).toMatchObject({ status: 409, size: 0 });
    expect(judgeAdvance(later, { size: 5, root: await log.root(5) })).toMatchObject({ status: 409, size: 5 });
  });

  it('verifies the consistency proof from the stored root (422 when it fails)', async () => {
    const log = await memoryLog(8);
    const stored = { size: 3, root: await log.root(3) };
    const proof = await log.proof(3, 8);
    expect(judgeAdvance(submission(formatAddCheckpoint(3, proof, await log.note(8))), stored)).toBeNull();
    const tampered = proof.map((hash, i) => (i === 0 ? leafHash(hash) : hash));
    expect(
      judgeAdvance(submission(formatAddCheckpoint(3, tampered, await log.note(8))), stored),
    ).toMatchObject({
      status: 422,
    });
    // a right proof, but the stored root is from a different tree
    const forked = { size: 3, root: leafHash(utf8('fork')) };
    expect(judgeAdvance(submission(formatAddCheckpoint(3, proof, await log.note(8))), forked)).toMatchObject({
      status: 422,
    });
  });

  it('re-cosigns the same checkpoint, but answers 409 for another root at the same size', async () => {
    const log = await memoryLog(4);
    const same = submission(formatAddCheckpoint(4, [], await log.note(4)));
    expect(judgeAdvance(same, { size: 4, root: await log.root(4) })).toBeNull();
    expect(judgeAdvance(same, { size: 4, root: await log.root(3) })).toMatchObject({ status: 409, size: 4 });
    const withProof = submission(formatAddCheckpoint(4, [await log.root(2)], await log.note(4)));
    expect(judgeAdvance(withProof, { size: 4, root: await log.root(4) })).toMatchObject({ status: 422 });
  });

  it('needs the empty-tree root on a checkpoint of size 0', async () => {
    const empty = signNote(formatCheckpoint({ origin: ORIGIN, size: 0, rootHash: EMPTY_TREE_HASH }), signer);
    expect(judgeAdvance(submission(formatAddCheckpoint(0, [], empty)), null)).toBeNull();
    const bogus = signNote(
      formatCheckpoint({ origin: ORIGIN, size: 0, rootHash: new Uint8Array(32) }),
      signer,
    );
    expect(judgeAdvance(submission(formatAddCheckpoint(0, [], bogus)), null)).toMatchObject({ status: 422 });
  });
});

describe('witness: configuration', () => {
  it('refuses keys that are not Ed25519 log keys', () => {
    expect(() => followedLogs(['not a key'])).toThrow(/VERBATIM_WITNESS_FOR/);
    const cosigner = formatVerifierKey({ name: ORIGIN, type: 0x04, publicKey: signer.publicKey });
    expect(() => followedLogs([cosigner])).toThrow(/not an Ed25519 log key/);
  });
});
