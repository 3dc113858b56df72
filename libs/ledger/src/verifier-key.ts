/** Verifier key text (signed-note "vkey"): "<name>+<hex8 key ID>+base64(type || public key)". */
import { concatBytes, fromBase64, toBase64 } from './bytes';
import { ed25519CosignatureVerifier } from './cosignature';
import { LedgerFormatError } from './errors';
import {
  type NoteKey,
  type NoteVerifier,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
  ed25519NoteVerifier,
  isValidKeyName,
  keyIdHex,
  noteKeyId,
} from './note';

const FACTORIES: ReadonlyMap<number, (name: string, publicKey: Uint8Array) => NoteVerifier> = new Map([
  [SIGNATURE_TYPE_ED25519, ed25519NoteVerifier],
  [SIGNATURE_TYPE_COSIGNATURE_V1, ed25519CosignatureVerifier],
]);

export function formatVerifierKey(key: NoteKey): string {
  if (!isValidKeyName(key.name)) throw new LedgerFormatError(`invalid key name ${JSON.stringify(key.name)}`);
  const id = noteKeyId(key.name, key.type, key.publicKey);
  return `${key.name}+${keyIdHex(id)}+${toBase64(concatBytes(new Uint8Array([key.type]), key.publicKey))}`;
}

/** Parses a vkey of type 0x01 (Ed25519 note key) or 0x04 (Ed25519 cosigner); the key ID must match. */
export function parseVerifierKey(vkey: string): NoteVerifier {
  // Names cannot hold '+', but base64 can: split at the first two only.
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) throw new LedgerFormatError('verifier key must be <name>+<key id>+<key>');
  const name = vkey.slice(0, first);
  const idHex = vkey.slice(first + 1, second);
  const keyB64 = vkey.slice(second + 1);
  if (!isValidKeyName(name)) throw new LedgerFormatError('verifier key has an invalid name');
  if (!/^[0-9a-fA-F]{8}$/.test(idHex)) throw new LedgerFormatError('verifier key ID must be 8 hex digits');
  let key: Uint8Array;
  try {
    key = fromBase64(keyB64);
  } catch {
    throw new LedgerFormatError('verifier key is not valid base64');
  }
  if (key.length < 1) throw new LedgerFormatError('verifier key is empty');
  const type = key[0];
  const publicKey = key.slice(1);
  const factory = FACTORIES.get(type);
  if (factory === undefined)
    throw new LedgerFormatError(`unsupported verifier key type 0x${type.toString(16)}`);
  if (publicKey.length !== 32) throw new LedgerFormatError('Ed25519 public key must be 32 bytes');
  if (parseInt(idHex, 16) !== noteKeyId(name, type, publicKey)) {
    throw new LedgerFormatError('verifier key ID does not match the key');
  }
  return factory(name, publicKey);
}
