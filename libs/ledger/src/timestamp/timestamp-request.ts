import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bigIntToUnsigned, unsignedToBigInt } from './der';
import { OID_SHA256 } from './oids';
import { randomBytes } from './webcrypto-engine';

export interface TimestampRequestOptions {
  /** default: 8 random bytes; a Uint8Array is read as an unsigned big-endian number */
  nonce?: bigint | Uint8Array;
  /** ask the TSA to embed its certificate (default true: the verifier needs it) */
  certReq?: boolean;
  /** reqPolicy OID, when the TSA serves several policies */
  policy?: string;
}

export interface TimestampRequest {
  /** DER TimeStampReq, to POST as application/timestamp-query */
  der: Uint8Array;
  /** the nonce sent, as minimal unsigned big-endian bytes: the response's TSTInfo must echo it */
  nonce: Uint8Array;
}

/** Builds an RFC 3161 TimeStampReq (version 1) for a SHA-256 digest of the data to stamp. */
export function createTimestampRequest(
  digest: Uint8Array,
  options: TimestampRequestOptions = {},
): TimestampRequest {
  if (digest.length !== 32)
    throw new RangeError(`expected a 32-byte SHA-256 digest, got ${digest.length} bytes`);
  const nonce = nonceValue(options.nonce);
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({
        algorithmId: OID_SHA256,
        algorithmParams: new asn1js.Null(),
      }),
      hashedMessage: new asn1js.OctetString({ valueHex: digest.slice() }),
    }),
    nonce: asn1js.Integer.fromBigInt(nonce),
    certReq: options.certReq ?? true,
    ...(options.policy === undefined ? {} : { reqPolicy: options.policy }),
  });
  return { der: new Uint8Array(request.toSchema().toBER()), nonce: bigIntToUnsigned(nonce) };
}

function nonceValue(nonce: bigint | Uint8Array | undefined): bigint {
  const value =
    nonce === undefined
      ? unsignedToBigInt(randomBytes(8))
      : typeof nonce === 'bigint'
        ? nonce
        : unsignedToBigInt(nonce);
  if (value < 0n) throw new RangeError('a timestamp nonce must not be negative');
  return value;
}
