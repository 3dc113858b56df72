import type * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { encodedBytes, parseAsn1 } from './der';
import { TimestampResponseError } from './timestamp-errors';

const STATUS_NAMES = [
  'granted',
  'grantedWithMods',
  'rejection',
  'waiting',
  'revocationWarning',
  'revocationNotification',
];

// PKIFailureInfo bit numbers (RFC 3161 §2.4.2)
const FAILURE_NAMES: Record<number, string> = {
  0: 'badAlg',
  2: 'badRequest',
  5: 'badDataFormat',
  14: 'timeNotAvailable',
  15: 'unacceptedPolicy',
  16: 'unacceptedExtension',
  17: 'addInfoNotAvailable',
  25: 'systemFailure',
};

/**
 * Reads a DER TimeStampResp and returns the exact bytes of its TimeStampToken (a CMS ContentInfo).
 * Throws TimestampResponseError naming the PKIStatus and failure info when the TSA did not grant a token.
 * The token is returned, not trusted: run verifyTimestampToken on it.
 */
export function parseTimestampResponse(der: Uint8Array): Uint8Array {
  const asn1 = parseAsn1(der);
  let response: pkijs.TimeStampResp;
  try {
    if (!asn1) throw new Error('not a single BER element');
    response = new pkijs.TimeStampResp({ schema: asn1 });
  } catch (error) {
    throw new TimestampResponseError(`malformed TimeStampResp: ${(error as Error).message}`);
  }
  const { status, statusStrings, failInfo } = response.status;
  const statusName = STATUS_NAMES[status] ?? `unknown status ${status}`;
  const failures = failInfo ? failureNames(failInfo) : [];
  if (status !== 0 && status !== 1) {
    const text = (statusStrings ?? []).map((s) => s.valueBlock.value).join('; ');
    const details = [
      failures.length ? `failInfo ${failures.join(', ')}` : '',
      text ? `"${text}"` : '',
    ].filter(Boolean);
    throw new TimestampResponseError(
      `TSA answered PKIStatus ${statusName}${details.length ? ` (${details.join(': ')})` : ''}`,
      statusName,
      failures,
    );
  }
  const token = (asn1 as asn1js.Sequence).valueBlock.value[1];
  if (!token)
    throw new TimestampResponseError(
      `TSA answered PKIStatus ${statusName} without a timeStampToken`,
      statusName,
    );
  return encodedBytes(token);
}

function failureNames(bits: asn1js.BitString): string[] {
  const bytes = bits.valueBlock.valueHexView;
  const names: string[] = [];
  for (let bit = 0; bit < bytes.length * 8 - bits.valueBlock.unusedBits; bit++) {
    if (bytes[bit >> 3] & (0x80 >> (bit & 7))) names.push(FAILURE_NAMES[bit] ?? `bit ${bit}`);
  }
  return names;
}
