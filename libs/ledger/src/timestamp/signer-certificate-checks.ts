import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bytesEqual } from '../bytes';
import {
  hashAlgorithmByOid,
  OID_EXTENDED_KEY_USAGE,
  OID_KP_TIME_STAMPING,
  OID_SHA256,
  OID_SIGNING_CERTIFICATE,
  OID_SIGNING_CERTIFICATE_V2,
} from './oids';
import { TimestampVerificationError } from './timestamp-errors';
import { digest } from './webcrypto-engine';

/**
 * RFC 3161 §2.3: the TSA certificate has exactly one extendedKeyUsage extension, marked critical, whose only
 * purpose is id-kp-timeStamping. (Strict: a certificate allowing other purposes too is refused.)
 */
export function checkTimestampingEku(certificate: pkijs.Certificate): void {
  const ekus = (certificate.extensions ?? []).filter((e) => e.extnID === OID_EXTENDED_KEY_USAGE);
  if (ekus.length !== 1) {
    throw new TimestampVerificationError(
      `signer certificate must have one extendedKeyUsage extension with id-kp-timeStamping, found ${ekus.length}`,
    );
  }
  const [eku] = ekus;
  const purposes = eku.parsedValue instanceof pkijs.ExtKeyUsage ? eku.parsedValue.keyPurposes : [];
  if (purposes.length !== 1 || purposes[0] !== OID_KP_TIME_STAMPING) {
    throw new TimestampVerificationError(
      `signer certificate extendedKeyUsage must be id-kp-timeStamping only, got [${purposes.join(', ')}]`,
    );
  }
  if (!eku.critical)
    throw new TimestampVerificationError('signer certificate extendedKeyUsage is not critical');
}

/** The signer certificate is valid at the time it stamped (the chain check also does this, with a trust anchor). */
export function checkValidAt(certificate: pkijs.Certificate, time: Date): void {
  if (time < certificate.notBefore.value || time > certificate.notAfter.value) {
    throw new TimestampVerificationError(`signer certificate is not valid at genTime ${time.toISOString()}`);
  }
}

/**
 * The ESS signing-certificate attribute (RFC 2634 v1 with SHA-1, or RFC 5035 v2) must name the signer
 * certificate: its first ESSCertID hashes to the signer certificate DER, and its serial, when given, matches.
 */
export async function checkEssBinding(
  signerInfo: pkijs.SignerInfo,
  certificate: pkijs.Certificate,
  certificateDer: Uint8Array,
): Promise<void> {
  const attributes = signerInfo.signedAttrs?.attributes ?? [];
  const ess = attributes.filter(
    (a) => a.type === OID_SIGNING_CERTIFICATE || a.type === OID_SIGNING_CERTIFICATE_V2,
  );
  if (ess.length !== 1 || ess[0].values.length !== 1) {
    throw new TimestampVerificationError(
      `expected one ESS signing-certificate attribute, found ${ess.length}`,
    );
  }
  const certId = firstCertId(ess[0].values[0] as asn1js.AsnType);
  const fields = [...certId.valueBlock.value];
  let hashOid = ess[0].type === OID_SIGNING_CERTIFICATE ? '1.3.14.3.2.26' : OID_SHA256;
  if (ess[0].type === OID_SIGNING_CERTIFICATE_V2 && fields[0] instanceof asn1js.Sequence) {
    hashOid = new pkijs.AlgorithmIdentifier({ schema: fields.shift() }).algorithmId;
  }
  const hash = hashAlgorithmByOid(hashOid);
  const certHash = fields[0];
  if (!hash) throw new TimestampVerificationError(`ESS signing-certificate uses unsupported hash ${hashOid}`);
  if (!(certHash instanceof asn1js.OctetString)) throw malformed();
  if (!bytesEqual(certHash.valueBlock.valueHexView, await digest(hash.name, certificateDer))) {
    throw new TimestampVerificationError(
      'ESS signing-certificate hash does not match the signer certificate',
    );
  }
  const issuerSerial = fields[1];
  if (issuerSerial !== undefined) {
    const serial = issuerSerial instanceof asn1js.Sequence ? issuerSerial.valueBlock.value[1] : undefined;
    if (!(serial instanceof asn1js.Integer)) throw malformed();
    if (!serial.isEqual(certificate.serialNumber)) {
      throw new TimestampVerificationError(
        'ESS signing-certificate serial does not match the signer certificate',
      );
    }
  }
}

/** SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies OPTIONAL }: the first ESSCertID. */
function firstCertId(value: asn1js.AsnType): asn1js.Sequence {
  const certs = value instanceof asn1js.Sequence ? value.valueBlock.value[0] : undefined;
  const first = certs instanceof asn1js.Sequence ? certs.valueBlock.value[0] : undefined;
  if (!(first instanceof asn1js.Sequence)) throw malformed();
  return first;
}

function malformed(): TimestampVerificationError {
  return new TimestampVerificationError('malformed ESS signing-certificate attribute');
}
