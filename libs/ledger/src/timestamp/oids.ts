export const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
export const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';
export const OID_CONTENT_TYPE_ATTRIBUTE = '1.2.840.113549.1.9.3';
export const OID_SIGNING_CERTIFICATE = '1.2.840.113549.1.9.16.2.12';
export const OID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';
export const OID_EXTENDED_KEY_USAGE = '2.5.29.37';
export const OID_KP_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';

export type HashAlgorithmName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

const HASHES: Record<string, { name: HashAlgorithmName; length: number }> = {
  '1.3.14.3.2.26': { name: 'SHA-1', length: 20 },
  '2.16.840.1.101.3.4.2.1': { name: 'SHA-256', length: 32 },
  '2.16.840.1.101.3.4.2.2': { name: 'SHA-384', length: 48 },
  '2.16.840.1.101.3.4.2.3': { name: 'SHA-512', length: 64 },
};

export const OID_SHA256 = '2.16.840.1.101.3.4.2.1';

export function hashAlgorithmByOid(oid: string): { name: HashAlgorithmName; length: number } | null {
  return HASHES[oid] ?? null;
}
