/**
 * The ledger's crypto in a browser: scripts/build.mjs bundles this module wherever the ledger imports
 * crypto.ts, so the browser runs the very verification code the CLI runs. SHA-256 comes from @noble/hashes
 * (synchronous, like the Merkle and key-ID code that calls it). Ed25519 goes through WebCrypto where the
 * browser has it (it needs a secure context and a recent engine), else through @noble/curves. Verification
 * only: a browser never holds the log's private key.
 */
import { ed25519 } from '@noble/curves/ed25519';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2';
import { type LedgerVerificationCrypto } from './crypto';

/** The part of WebCrypto's SubtleCrypto used here, typed locally: the ledger compiles without the DOM lib. */
export interface Ed25519Subtle {
  importKey(
    format: 'raw',
    keyData: Uint8Array,
    algorithm: { name: 'Ed25519' },
    extractable: false,
    usages: ['verify'],
  ): Promise<unknown>;
  verify(
    algorithm: { name: 'Ed25519' },
    key: unknown,
    signature: Uint8Array,
    data: Uint8Array,
  ): Promise<boolean>;
}

export type Ed25519Engine = 'WebCrypto' | '@noble/curves';

const NO_SIGNING = 'the browser build of the ledger verifies only: it has no signing keys';

/** Never a value: signing code is bundled (note.ts holds both directions) but cannot run here. */
export type Ed25519PrivateKey = never;

export function ed25519PrivateKey(): never {
  throw new Error(NO_SIGNING);
}

export function ed25519PublicKeyOf(): never {
  throw new Error(NO_SIGNING);
}

export function ed25519Sign(): never {
  throw new Error(NO_SIGNING);
}

/** The page's WebCrypto, when it has one (not over plain http from another host: no secure context). */
export function platformSubtle(): Ed25519Subtle | null {
  return (globalThis as { crypto?: { subtle?: Ed25519Subtle } }).crypto?.subtle ?? null;
}

/** SHA-256 of the concatenation of `parts`, without building the concatenation. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = nobleSha256.create();
  for (const part of parts) hash.update(part);
  return hash.digest();
}

function checkPublicKeyLength(publicKey: Uint8Array): void {
  if (publicKey.length !== 32)
    throw new RangeError(`Ed25519 public key must be 32 bytes, got ${publicKey.length}`);
}

/**
 * Pure-JS Ed25519 verification under RFC 8032's strict rules (`zip215: false`: canonical encodings, no
 * small-order points). For a real key all implementations agree; on degenerate keys no log would publish
 * (small-order, or non-canonically encoded) OpenSSL, hence node:crypto, accepts some signatures this
 * refuses. Refusing more is the safe side of that difference.
 */
export function ed25519Verifier(
  publicKey: Uint8Array,
): (message: Uint8Array, signature: Uint8Array) => boolean {
  checkPublicKeyLength(publicKey);
  return (message, signature) => {
    if (signature.length !== 64) return false;
    try {
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false; // a malformed point or scalar is a signature that does not verify
    }
  };
}

/** Imports the key into WebCrypto, or null when this browser's WebCrypto has no Ed25519 (or none at all). */
async function webCryptoKey(subtle: Ed25519Subtle | null, publicKey: Uint8Array): Promise<unknown> {
  if (subtle === null) return null;
  try {
    return await subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return null;
  }
}

/**
 * Ed25519 through WebCrypto when it can, else the pure-JS verifier. `subtle` is the page's WebCrypto by
 * default; null means none.
 */
export function ed25519AsyncVerifier(
  publicKey: Uint8Array,
  subtle: Ed25519Subtle | null = platformSubtle(),
): (message: Uint8Array, signature: Uint8Array) => Promise<boolean> {
  const fallback = ed25519Verifier(publicKey);
  let key: Promise<unknown> | undefined;
  return async (message, signature) => {
    if (signature.length !== 64) return false;
    key ??= webCryptoKey(subtle, publicKey);
    const imported = await key;
    if (imported === null || subtle === null) return fallback(message, signature);
    return subtle.verify({ name: 'Ed25519' }, imported, signature, message);
  };
}

/** RFC 8032 §7.1 test 1 public key: a key every Ed25519 implementation imports. */
const PROBE_KEY = Uint8Array.from(
  'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'.match(/../g) as string[],
  (byte) => parseInt(byte, 16),
);

/** Which implementation ed25519AsyncVerifier will use here, for telling the reader. */
export async function ed25519Engine(subtle: Ed25519Subtle | null = platformSubtle()): Promise<Ed25519Engine> {
  return (await webCryptoKey(subtle, PROBE_KEY)) === null ? '@noble/curves' : 'WebCrypto';
}

export const browserVerificationCrypto: LedgerVerificationCrypto = {
  sha256,
  ed25519Verifier,
  ed25519AsyncVerifier,
};
