import * as asn1js from 'asn1js';
import { bytesEqual } from '../bytes';

/**
 * Parses exactly one DER element filling all of `bytes`, or returns null. asn1js alone is lenient (it accepts
 * trailing bytes and a parent length that disagrees with its children), so the parse must re-encode to the
 * same bytes: signed structures then have one encoding, and no byte can change without the values changing.
 */
export function parseAsn1(bytes: Uint8Array): asn1js.AsnType | null {
  try {
    const parsed = asn1js.fromBER(bytes);
    if (parsed.offset !== bytes.byteLength) return null;
    const reencoded = new Uint8Array(parsed.result.toBER());
    return bytesEqual(reencoded, bytes) ? parsed.result : null;
  } catch {
    return null;
  }
}

/** The exact bytes an element was decoded from (no re-encoding, which could change a signed structure). */
export function encodedBytes(element: asn1js.AsnType): Uint8Array {
  return element.valueBeforeDecodeView.slice();
}

/** A positive ASN.1 INTEGER from an unsigned big-endian magnitude. */
export function unsignedToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** The minimal unsigned big-endian bytes of a non-negative bigint (one zero byte for 0). */
export function bigIntToUnsigned(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError('expected a non-negative integer');
  const hex = value.toString(16);
  const padded = hex.length % 2 === 0 ? hex : `0${hex}`;
  const out = new Uint8Array(padded.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(padded.slice(2 * i, 2 * i + 2), 16);
  return out;
}
