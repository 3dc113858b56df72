/**
 * C2SP tlog-cosignature v1 with Ed25519 (signature type 0x04): a witness signs
 * "cosignature/v1\ntime <unix>\n" + checkpoint body, and the note signature is u64 timestamp || sig64.
 */
import { concatBytes, readUint64BE, utf8, writeUint64BE } from './bytes';
import {
  type Ed25519PrivateKey,
  ed25519AsyncVerifier,
  ed25519PublicKeyOf,
  ed25519Sign,
  ed25519Verifier,
} from './crypto';
import { LedgerFormatError } from './errors';
import {
  type NoteSigner,
  type NoteVerifier,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  formatSignatureLine,
  isValidKeyName,
  noteKeyId,
} from './note';

const MAX_TIMESTAMP = 2n ** 63n - 1n;

/** The exact bytes an Ed25519 cosigner signs. */
export function cosignatureMessage(checkpointBody: Uint8Array, time: number): Uint8Array {
  return concatBytes(utf8(`cosignature/v1\ntime ${time}\n`), checkpointBody);
}

/** A cosigner: a note signer whose `sign` also needs the time it attests. */
export interface Cosigner extends Omit<NoteSigner, 'sign'> {
  /** Returns the 72-byte timestamped signature (u64 big-endian time || Ed25519 signature). */
  cosign(checkpointBody: Uint8Array, time: number): Uint8Array;
}

function checkTime(time: number): void {
  if (!Number.isSafeInteger(time) || time < 0)
    throw new RangeError(`cosignature time must be a POSIX second count`);
}

export function ed25519Cosigner(name: string, privateKey: Ed25519PrivateKey): Cosigner {
  if (!isValidKeyName(name)) throw new LedgerFormatError(`invalid key name ${JSON.stringify(name)}`);
  const publicKey = ed25519PublicKeyOf(privateKey);
  return {
    name,
    type: SIGNATURE_TYPE_COSIGNATURE_V1,
    publicKey,
    keyId: noteKeyId(name, SIGNATURE_TYPE_COSIGNATURE_V1, publicKey),
    cosign: (body, time) => {
      checkTime(time);
      return concatBytes(writeUint64BE(time), ed25519Sign(privateKey, cosignatureMessage(body, time)));
    },
  };
}

/**
 * Cosigns a checkpoint body (the note text, ending in a newline) at `time` (POSIX seconds) and returns
 * the signature line, newline included, ready to append to the signed checkpoint.
 */
export function cosign(checkpointBody: string, cosigner: Cosigner, time: number): string {
  if (!checkpointBody.endsWith('\n')) throw new LedgerFormatError('checkpoint body must end with a newline');
  return formatSignatureLine(cosigner.name, cosigner.keyId, cosigner.cosign(utf8(checkpointBody), time));
}

/** Verifier for cosignature/v1 lines; a verified signature reports its timestamp. */
export function ed25519CosignatureVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  if (!isValidKeyName(name)) throw new LedgerFormatError(`invalid key name ${JSON.stringify(name)}`);
  const check = ed25519Verifier(publicKey);
  const checkAsync = ed25519AsyncVerifier(publicKey);
  return {
    name,
    type: SIGNATURE_TYPE_COSIGNATURE_V1,
    publicKey,
    keyId: noteKeyId(name, SIGNATURE_TYPE_COSIGNATURE_V1, publicKey),
    verify: (text, signature) => {
      const time = cosignatureTime(signature);
      if (time === null) return { valid: false };
      return check(cosignatureMessage(text, time), signature.subarray(8))
        ? { valid: true, timestamp: time }
        : { valid: false };
    },
    verifyAsync: async (text, signature) => {
      const time = cosignatureTime(signature);
      if (time === null) return { valid: false };
      return (await checkAsync(cosignatureMessage(text, time), signature.subarray(8)))
        ? { valid: true, timestamp: time }
        : { valid: false };
    },
  };
}

/** The attested time of a 72-byte cosignature, or null when the signature cannot be one. */
function cosignatureTime(signature: Uint8Array): number | null {
  if (signature.length !== 8 + 64) return null;
  const stamp = readUint64BE(signature);
  if (stamp > MAX_TIMESTAMP || stamp > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(stamp);
}
