import * as asn1js from 'asn1js';

/** Parses exactly one BER/DER element filling all of `bytes` (trailing bytes are an error), or returns null. */
export function parseAsn1(bytes: Uint8Array): asn1js.AsnType | null {
  const parsed = asn1js.fromBER(bytes);
  if (parsed.offset === -1 || parsed.offset !== bytes.byteLength) return null;
  return parsed.result;
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
