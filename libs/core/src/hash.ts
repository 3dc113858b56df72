import { createHash } from 'node:crypto';
import { canonicalBytes } from './jcs';

export function sha256(bytes: Uint8Array | string): Buffer {
  return createHash('sha256').update(bytes).digest();
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** SHA-256 (hex) of the RFC 8785 bytes of a value. */
export function canonicalSha256(value: unknown): string {
  return sha256Hex(canonicalBytes(value));
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;
