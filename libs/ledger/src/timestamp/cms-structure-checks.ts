import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bytesEqual } from '../bytes';
import { parseAsn1 } from './der';
import { hashAlgorithmByOid } from './oids';
import { TimestampVerificationError } from './timestamp-errors';

/*
 * Checks on the parts of a CMS SignedData that its signature does not cover. pkijs ignores them, but a
 * token whose unsigned fields were altered is not the token the TSA issued: refuse it rather than store it.
 */

/** RFC 5652 §5.1/§5.3 versions, and digestAlgorithms naming known hashes including the signer's. */
export function checkSignedDataFields(signedData: pkijs.SignedData, signerInfo: pkijs.SignerInfo): void {
  if (signedData.version !== 3) {
    throw new TimestampVerificationError(`SignedData version is ${signedData.version}, not 3`);
  }
  const expectedVersion = signerInfo.sid instanceof pkijs.IssuerAndSerialNumber ? 1 : 3;
  if (signerInfo.version !== expectedVersion) {
    throw new TimestampVerificationError(
      `SignerInfo version is ${signerInfo.version}, not ${expectedVersion}`,
    );
  }
  for (const algorithm of [...signedData.digestAlgorithms, signerInfo.digestAlgorithm]) {
    if (!hashAlgorithmByOid(algorithm.algorithmId) || !absentOrNull(algorithm)) {
      throw new TimestampVerificationError(
        `unexpected digest algorithm ${algorithm.algorithmId} in SignedData`,
      );
    }
  }
  if (!signedData.digestAlgorithms.some((a) => a.algorithmId === signerInfo.digestAlgorithm.algorithmId)) {
    throw new TimestampVerificationError(
      'SignedData digestAlgorithms does not list the signer digest algorithm',
    );
  }
  const signature = signerInfo.signature.valueBlock.valueHexView;
  // ECDSA signatures are a DER SEQUENCE of two INTEGERs, which WebCrypto callers unpack leniently
  if (signerInfo.signatureAlgorithm.algorithmId.startsWith('1.2.840.10045.4.') && !parseAsn1(signature)) {
    throw new TimestampVerificationError('CMS signature: the ECDSA signature value is not DER');
  }
}

/** With trust anchors, every certificate the token carries must be one of the verified chain (no stray bytes). */
export function checkEmbeddedCertificatesInChain(
  embeddedDers: Uint8Array[],
  path: pkijs.Certificate[],
): void {
  const pathDers = path.map((certificate) => new Uint8Array(certificate.toSchema().toBER()));
  for (const der of embeddedDers) {
    if (!pathDers.some((p) => bytesEqual(p, der))) {
      throw new TimestampVerificationError(
        'certificate chain: the token carries a certificate outside the verified chain',
      );
    }
  }
}

function absentOrNull(algorithm: pkijs.AlgorithmIdentifier): boolean {
  const params: unknown = algorithm.algorithmParams;
  return params === undefined || params instanceof asn1js.Null;
}
