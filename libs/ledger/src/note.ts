/**
 * C2SP signed notes (https://c2sp.org/signed-note): text ending in a newline, a blank line, then one or more
 * lines "— <key name> base64(uint32 key ID || signature)". Ed25519 keys are signature type 0x01.
 */
import {
  bytesEqual,
  concatBytes,
  fromBase64,
  fromUtf8,
  isWellFormedString,
  readUint32BE,
  toBase64,
  utf8,
  writeUint32BE,
} from './bytes';
import {
  type Ed25519PrivateKey,
  ed25519AsyncVerifier,
  ed25519PublicKeyOf,
  ed25519Sign,
  ed25519Verifier,
  sha256,
} from './crypto';
import { LedgerFormatError, NoteVerificationError } from './errors';

export const SIGNATURE_TYPE_ED25519 = 0x01;
export const SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04;

/** We accept this many signature lines at most (the spec requires at least 16). */
export const MAX_NOTE_SIGNATURES = 100;

const SIGNATURE_PREFIX = '\u2014 ';

/** A key as named in a note: its name, its signature type and raw public key. */
export interface NoteKey {
  readonly name: string;
  readonly type: number;
  readonly publicKey: Uint8Array;
}

export interface NoteSigner extends NoteKey {
  readonly keyId: number;
  /** Signs the message and returns the signature bytes that follow the key ID. */
  sign(message: Uint8Array): Uint8Array;
}

export type SignatureCheck =
  { readonly valid: false } | { readonly valid: true; readonly timestamp?: number };

export interface NoteVerifier extends NoteKey {
  readonly keyId: number;
  /** Checks `signature` (the bytes after the key ID) over the note text. */
  verify(text: Uint8Array, signature: Uint8Array): SignatureCheck;
  /**
   * The same check through the platform's asynchronous crypto (WebCrypto in a browser), for openNoteAsync.
   * Optional: openNoteAsync falls back to `verify`.
   */
  verifyAsync?(text: Uint8Array, signature: Uint8Array): Promise<SignatureCheck>;
}

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** The signature bytes after the key ID. */
  readonly signature: Uint8Array;
}

export interface VerifiedSignature extends NoteSignature {
  readonly verifier: NoteVerifier;
  /** For timestamped signatures (cosignature/v1): the POSIX time the signer attested. */
  readonly timestamp?: number;
}

export interface ParsedNote {
  /** The note text, including its final newline but not the separating blank line. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

export interface OpenedNote extends ParsedNote {
  /** Signatures that matched a known key and verified, in note order. */
  readonly verified: readonly VerifiedSignature[];
  /** Signatures from keys the caller does not know (ignored, as the spec requires). */
  readonly unknown: readonly NoteSignature[];
}

/** Key names are non-empty, without Unicode spaces or '+'. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && isWellFormedString(name) && !/[\s\u0085+]/.test(name);
}

/** SHA-256(name || 0x0A || type || public key)[:4], as a big-endian uint32. */
export function noteKeyId(name: string, type: number, publicKey: Uint8Array): number {
  return readUint32BE(sha256(utf8(name), new Uint8Array([0x0a, type]), publicKey));
}

function checkText(text: string, what: string): void {
  if (!isWellFormedString(text)) throw new LedgerFormatError(`${what} is not valid UTF-8`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) {
    throw new LedgerFormatError(`${what} contains an ASCII control character other than newline`);
  }
}

/** One signature line, with its trailing newline. */
export function formatSignatureLine(name: string, keyId: number, signature: Uint8Array): string {
  if (!isValidKeyName(name)) throw new LedgerFormatError(`invalid key name ${JSON.stringify(name)}`);
  return `${SIGNATURE_PREFIX}${name} ${toBase64(concatBytes(writeUint32BE(keyId), signature))}\n`;
}

/** Signs `text` (which must end in a newline) with each signer and returns the signed note. */
export function signNote(text: string, signers: NoteSigner | readonly NoteSigner[]): string {
  const list: readonly NoteSigner[] = Array.isArray(signers) ? signers : [signers as NoteSigner];
  checkText(text, 'note text');
  if (!text.endsWith('\n')) throw new LedgerFormatError('note text must end with a newline');
  if (list.length === 0) throw new LedgerFormatError('a note needs at least one signature');
  const message = utf8(text);
  const lines = list.map((signer) => formatSignatureLine(signer.name, signer.keyId, signer.sign(message)));
  return `${text}\n${lines.join('')}`;
}

function toNoteString(note: string | Uint8Array): string {
  if (typeof note === 'string') return note;
  try {
    return fromUtf8(note);
  } catch {
    throw new LedgerFormatError('note is not valid UTF-8');
  }
}

/** Splits a signed note into its text and signature lines, checking the format but no signature. */
export function parseNote(note: string | Uint8Array): ParsedNote {
  const whole = toNoteString(note);
  checkText(whole, 'note');
  if (!whole.endsWith('\n')) throw new LedgerFormatError('note does not end with a newline');
  // The last blank line separates text from signatures (the text itself may contain blank lines).
  const split = whole.lastIndexOf('\n\n');
  if (split < 0) throw new LedgerFormatError('note has no blank line before its signatures');
  const text = whole.slice(0, split + 1);
  const lines = whole.slice(split + 2, -1).split('\n');
  if (lines.length === 1 && lines[0] === '') throw new LedgerFormatError('note has no signatures');
  if (lines.length > MAX_NOTE_SIGNATURES) {
    throw new LedgerFormatError(`note has ${lines.length} signatures, more than ${MAX_NOTE_SIGNATURES}`);
  }
  const signatures = lines.map((line, i): NoteSignature => {
    if (!line.startsWith(SIGNATURE_PREFIX))
      throw new LedgerFormatError(`signature line ${i + 1} is malformed`);
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    if (space < 0 || !isValidKeyName(name)) {
      throw new LedgerFormatError(`signature line ${i + 1} has no valid key name`);
    }
    let bytes: Uint8Array;
    try {
      bytes = fromBase64(rest.slice(space + 1));
    } catch {
      throw new LedgerFormatError(`signature line ${i + 1} is not valid base64`);
    }
    if (bytes.length < 5) throw new LedgerFormatError(`signature line ${i + 1} is too short`);
    return { name, keyId: readUint32BE(bytes), signature: bytes.subarray(4) };
  });
  return { text, signatures };
}

/**
 * Parses and verifies a signed note. Signatures from unknown keys (name and key ID not both matching a
 * verifier) are ignored; a known key whose signature fails rejects the whole note; at least one known
 * signature must verify. Throws LedgerFormatError for malformed notes, NoteVerificationError otherwise.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const parsed = parseNote(note);
  const message = utf8(parsed.text);
  return settleNote(parsed, verifiers, (verifier, sig) => verifier.verify(message, sig.signature));
}

/**
 * openNote with the signatures checked through `verifyAsync` (WebCrypto in a browser): every signature is
 * checked first, then judged by the same rules as openNote, so both accept and reject the same notes.
 */
export async function openNoteAsync(
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
): Promise<OpenedNote> {
  const parsed = parseNote(note);
  const message = utf8(parsed.text);
  const checks = new Map<NoteSignature, Map<NoteVerifier, SignatureCheck>>();
  for (const sig of parsed.signatures) {
    const bySigner = new Map<NoteVerifier, SignatureCheck>();
    for (const verifier of matchingVerifiers(verifiers, sig)) {
      const check = verifier.verifyAsync
        ? await verifier.verifyAsync(message, sig.signature)
        : verifier.verify(message, sig.signature);
      bySigner.set(verifier, check);
    }
    checks.set(sig, bySigner);
  }
  return settleNote(parsed, verifiers, (verifier, sig) => checks.get(sig)?.get(verifier) ?? { valid: false });
}

function matchingVerifiers(verifiers: readonly NoteVerifier[], sig: NoteSignature): NoteVerifier[] {
  return verifiers.filter((v) => v.name === sig.name && v.keyId === sig.keyId);
}

/** The rules of openNote, given a way to check one signature against one verifier. */
function settleNote(
  parsed: ParsedNote,
  verifiers: readonly NoteVerifier[],
  checkOne: (verifier: NoteVerifier, sig: NoteSignature) => SignatureCheck,
): OpenedNote {
  const verified: VerifiedSignature[] = [];
  const unknown: NoteSignature[] = [];
  for (const sig of parsed.signatures) {
    const matching = matchingVerifiers(verifiers, sig);
    if (matching.length === 0) {
      unknown.push(sig);
      continue;
    }
    // With colliding name+ID (spec: exceedingly unlikely) any matching key may have made the signature.
    const hit = matching
      .map((verifier) => ({ verifier, check: checkOne(verifier, sig) }))
      .find(({ check }) => check.valid);
    if (hit === undefined || !hit.check.valid) {
      throw new NoteVerificationError(`signature by ${sig.name}+${keyIdHex(sig.keyId)} does not verify`);
    }
    const duplicate = verified.some(
      (v) => v.verifier === hit.verifier && bytesEqual(v.signature, sig.signature),
    );
    if (!duplicate) verified.push({ ...sig, verifier: hit.verifier, ...timestampOf(hit.check) });
  }
  if (verified.length === 0) throw new NoteVerificationError('note has no signature from a known key');
  return { ...parsed, verified, unknown };
}

function timestampOf(check: SignatureCheck): { timestamp?: number } {
  return check.valid && check.timestamp !== undefined ? { timestamp: check.timestamp } : {};
}

export function keyIdHex(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

/** Verifier for plain Ed25519 note signatures (type 0x01). */
export function ed25519NoteVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  if (!isValidKeyName(name)) throw new LedgerFormatError(`invalid key name ${JSON.stringify(name)}`);
  const check = ed25519Verifier(publicKey);
  const checkAsync = ed25519AsyncVerifier(publicKey);
  return {
    name,
    type: SIGNATURE_TYPE_ED25519,
    publicKey,
    keyId: noteKeyId(name, SIGNATURE_TYPE_ED25519, publicKey),
    verify: (text, signature) => ({ valid: check(text, signature) }),
    verifyAsync: async (text, signature) => ({ valid: await checkAsync(text, signature) }),
  };
}

/** Ed25519 note signer (type 0x01) from a private key held by the platform (a node KeyObject). */
export function ed25519NoteSigner(name: string, privateKey: Ed25519PrivateKey): NoteSigner {
  if (!isValidKeyName(name)) throw new LedgerFormatError(`invalid key name ${JSON.stringify(name)}`);
  const publicKey = ed25519PublicKeyOf(privateKey);
  return {
    name,
    type: SIGNATURE_TYPE_ED25519,
    publicKey,
    keyId: noteKeyId(name, SIGNATURE_TYPE_ED25519, publicKey),
    sign: (message) => ed25519Sign(privateKey, message),
  };
}
