import { generateKeyPairSync } from 'node:crypto';
import {
  cosign,
  ed25519Cosigner,
  ed25519NoteSigner,
  formatCheckpoint,
  formatVerifierKey,
  parseVerifierKey,
  signNote,
  SIGNATURE_TYPE_COSIGNATURE_V1,
} from '@app/ledger';
import { verifiedCosignature } from './witness-client';

const key = () => generateKeyPairSync('ed25519').privateKey;
const log = ed25519NoteSigner('log.example/verbatim', key());
const witness = ed25519Cosigner('w.example/witness', key());
const witnessVerifier = parseVerifierKey(
  formatVerifierKey({
    name: witness.name,
    type: SIGNATURE_TYPE_COSIGNATURE_V1,
    publicKey: witness.publicKey,
  }),
);
const body = (size: number) =>
  formatCheckpoint({ origin: log.name, size, rootHash: new Uint8Array(32).fill(size) });
const note = signNote(body(7), log);

describe('picking the cosignature from a witness answer', () => {
  it('returns the line by the witness key, verbatim, with its time', () => {
    const line = cosign(body(7), witness, 1_700_000_000);
    const other = cosign(body(7), ed25519Cosigner('x.example/w', key()), 1_700_000_001);
    expect(verifiedCosignature(note, other + line, witnessVerifier)).toEqual({ line, time: 1_700_000_000 });
  });

  it('rejects a cosignature on another checkpoint, by another key under the same name, or garbage', () => {
    expect(verifiedCosignature(note, cosign(body(8), witness, 1), witnessVerifier)).toBeNull();
    const impostor = ed25519Cosigner(witness.name, key());
    expect(verifiedCosignature(note, cosign(body(7), impostor, 1), witnessVerifier)).toBeNull();
    expect(verifiedCosignature(note, 'not a signature\n', witnessVerifier)).toBeNull();
    expect(verifiedCosignature(note, '', witnessVerifier)).toBeNull();
  });
});
