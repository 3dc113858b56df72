/**
 * The only module of the ledger that touches a crypto implementation: node:crypto here. The browser build
 * (scripts/build.mjs) resolves this module to crypto.browser.ts instead, which has the same verification
 * surface (`LedgerVerificationCrypto`) backed by WebCrypto and @noble: keep that surface small.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** A private signing key as the platform holds it (a node KeyObject here). */
export type Ed25519PrivateKey = KeyObject;

function view(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** SHA-256 of the concatenation of `parts`, without building the concatenation. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return view(hash.digest());
}

/** Checks that `key` is an Ed25519 private key and returns it (accepts a KeyObject or PKCS#8 PEM/DER). */
export function ed25519PrivateKey(key: KeyObject | string | Uint8Array): Ed25519PrivateKey {
  const object =
    typeof key === 'string' || key instanceof Uint8Array ? createPrivateKey(toKeyInput(key)) : key;
  if (object.type !== 'private' || object.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(
      `expected an Ed25519 private key, got ${object.type} ${object.asymmetricKeyType ?? 'key'}`,
    );
  }
  return object;
}

function toKeyInput(key: string | Uint8Array): string | { key: Buffer; format: 'der'; type: 'pkcs8' } {
  return typeof key === 'string' ? key : { key: Buffer.from(key), format: 'der', type: 'pkcs8' };
}

/** The raw 32-byte Ed25519 public key of a private key. */
export function ed25519PublicKeyOf(privateKey: Ed25519PrivateKey): Uint8Array {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new TypeError('Ed25519 key has no public part');
  return view(Buffer.from(jwk.x, 'base64url'));
}

export function ed25519Sign(privateKey: Ed25519PrivateKey, message: Uint8Array): Uint8Array {
  return view(sign(null, message, privateKey));
}

/** A verification function bound to a raw 32-byte Ed25519 public key (parsed once). */
export function ed25519Verifier(
  publicKey: Uint8Array,
): (message: Uint8Array, signature: Uint8Array) => boolean {
  if (publicKey.length !== 32)
    throw new RangeError(`Ed25519 public key must be 32 bytes, got ${publicKey.length}`);
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
    format: 'jwk',
  });
  return (message, signature) => signature.length === 64 && verify(null, message, key, signature);
}

/**
 * The same check behind a promise: a browser verifies through WebCrypto, which only answers asynchronously,
 * so the shared verification path (openNoteAsync, verifyEvidenceBundle) awaits this one.
 */
export function ed25519AsyncVerifier(
  publicKey: Uint8Array,
): (message: Uint8Array, signature: Uint8Array) => Promise<boolean> {
  const check = ed25519Verifier(publicKey);
  return async (message, signature) => check(message, signature);
}

/** What verification needs from a crypto implementation; crypto.browser.ts provides the same. */
export interface LedgerVerificationCrypto {
  sha256(...parts: Uint8Array[]): Uint8Array;
  ed25519Verifier(publicKey: Uint8Array): (message: Uint8Array, signature: Uint8Array) => boolean;
  ed25519AsyncVerifier(
    publicKey: Uint8Array,
  ): (message: Uint8Array, signature: Uint8Array) => Promise<boolean>;
}

export const nodeVerificationCrypto: LedgerVerificationCrypto = {
  sha256,
  ed25519Verifier,
  ed25519AsyncVerifier,
};
