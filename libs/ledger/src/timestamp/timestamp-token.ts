import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bytesEqual } from '../bytes';
import { encodedBytes, parseAsn1, unsignedToBigInt } from './der';
import { formatDistinguishedName, formatGeneralName } from './distinguished-name';
import {
  hashAlgorithmByOid,
  type HashAlgorithmName,
  OID_CONTENT_TYPE_ATTRIBUTE,
  OID_SIGNED_DATA,
  OID_TST_INFO,
} from './oids';
import { checkEmbeddedCertificatesInChain, checkSignedDataFields } from './cms-structure-checks';
import { checkEssBinding, checkTimestampingEku, checkValidAt } from './signer-certificate-checks';
import { TimestampVerificationError } from './timestamp-errors';
import { parseCertificates } from './trusted-certificates';
import { timestampCrypto } from './webcrypto-engine';

export interface TimestampVerificationOptions {
  /** the digest that was stamped (SHA-256 of the data; SHA-384/512 also accepted when the token says so) */
  digest: Uint8Array;
  /** the nonce of the request, when the token answers one of ours */
  nonce?: bigint | Uint8Array;
  /** trust anchors (PEM or DER): when given, the signer certificate chain must lead to one of them */
  trustedCerts?: readonly (string | Uint8Array)[];
}

export interface TimestampInfo {
  genTime: Date;
  /** the TSTInfo tsa field, e.g. "CN=Test TSA", or null when absent */
  tsaName: string | null;
  /** TSTInfo serialNumber, lowercase hex */
  serialNumber: string;
  /** TSA policy OID */
  policy: string;
  /** subject of the certificate that signed the token */
  signerCertificate: string;
  hashAlgorithm: HashAlgorithmName;
  /** TSTInfo nonce as lowercase hex, or null */
  nonce: string | null;
  /** true when the signer certificate chains to one of `trustedCerts`; false when none were given */
  chainVerified: boolean;
}

/**
 * Verifies an RFC 3161 TimeStampToken (DER ContentInfo) over `digest`, including the checks pkijs leaves out:
 * nonce, the signer's critical timeStamping EKU, and the ESS signing-certificate binding.
 * Throws TimestampVerificationError naming the failed check.
 */
export async function verifyTimestampToken(
  tokenDer: Uint8Array,
  options: TimestampVerificationOptions,
): Promise<TimestampInfo> {
  try {
    return await verify(tokenDer, options);
  } catch (error) {
    if (error instanceof TimestampVerificationError) throw error;
    // pkijs and asn1js throw plain errors on structures they cannot walk
    throw new TimestampVerificationError(
      `malformed token: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

async function verify(tokenDer: Uint8Array, options: TimestampVerificationOptions): Promise<TimestampInfo> {
  const token = readToken(tokenDer);
  const { signedData, tstInfo } = token;
  const hash = checkMessageImprint(tstInfo, options.digest);
  if (options.nonce !== undefined) checkNonce(tstInfo, options.nonce);
  checkContentTypeAttribute(token.signerInfo);
  checkSignedDataFields(signedData, token.signerInfo);

  const trusted = options.trustedCerts === undefined ? undefined : parseTrusted(options.trustedCerts);
  const { signerCertificate, certificatePath } = await verifySignature(signedData, tstInfo.genTime, trusted);
  if (trusted) checkEmbeddedCertificatesInChain(token.certificateDers, certificatePath);
  checkValidAt(signerCertificate, tstInfo.genTime);
  checkTimestampingEku(signerCertificate);
  const signerDer = token.certificateDers[(signedData.certificates ?? []).indexOf(signerCertificate)];
  if (!signerDer) throw new TimestampVerificationError('signer certificate is not embedded in the token');
  await checkEssBinding(token.signerInfo, signerCertificate, signerDer);

  return {
    genTime: tstInfo.genTime,
    tsaName: tstInfo.tsa ? formatGeneralName(tstInfo.tsa) : null,
    serialNumber: integerHex(tstInfo.serialNumber),
    policy: tstInfo.policy,
    signerCertificate: formatDistinguishedName(signerCertificate.subject),
    hashAlgorithm: hash,
    nonce: tstInfo.nonce ? integerHex(tstInfo.nonce) : null,
    chainVerified: trusted !== undefined,
  };
}

interface ParsedToken {
  signedData: pkijs.SignedData;
  signerInfo: pkijs.SignerInfo;
  tstInfo: pkijs.TSTInfo;
  /** the exact DER of each entry of signedData.certificates, in the same order */
  certificateDers: Uint8Array[];
}

function readToken(der: Uint8Array): ParsedToken {
  const asn1 = parseAsn1(der);
  if (!asn1) throw new TimestampVerificationError('token is not a single DER element');
  let contentInfo: pkijs.ContentInfo;
  let signedData: pkijs.SignedData;
  try {
    contentInfo = new pkijs.ContentInfo({ schema: asn1 });
    if (contentInfo.contentType !== OID_SIGNED_DATA) {
      throw new TimestampVerificationError(
        `token contentType is ${contentInfo.contentType}, not CMS SignedData`,
      );
    }
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
  } catch (error) {
    if (error instanceof TimestampVerificationError) throw error;
    throw new TimestampVerificationError(`token is not a CMS SignedData: ${(error as Error).message}`);
  }
  const { eContentType, eContent } = signedData.encapContentInfo;
  if (eContentType !== OID_TST_INFO) {
    throw new TimestampVerificationError(`eContentType is ${eContentType}, not id-ct-TSTInfo`);
  }
  if (signedData.signerInfos.length !== 1) {
    throw new TimestampVerificationError(
      `token must have one signerInfo, has ${signedData.signerInfos.length}`,
    );
  }
  const tstAsn1 = eContent ? parseAsn1(new Uint8Array(eContent.getValue())) : null;
  let tstInfo: pkijs.TSTInfo;
  try {
    if (!tstAsn1) throw new Error('not a single DER element');
    tstInfo = new pkijs.TSTInfo({ schema: tstAsn1 });
  } catch (error) {
    throw new TimestampVerificationError(`malformed TSTInfo: ${(error as Error).message}`);
  }
  if (tstInfo.version !== 1)
    throw new TimestampVerificationError(`TSTInfo version is ${tstInfo.version}, not 1`);
  return {
    signedData,
    signerInfo: signedData.signerInfos[0],
    tstInfo,
    certificateDers: certificateDers(contentInfo),
  };
}

/** SignedData ::= SEQUENCE { version, digestAlgorithms, encapContentInfo, certificates [0] IMPLICIT?, ... } */
function certificateDers(contentInfo: pkijs.ContentInfo): Uint8Array[] {
  const fields = (contentInfo.content as asn1js.Sequence).valueBlock.value;
  const certificates = fields[3];
  const isCertificateSet = certificates?.idBlock.tagClass === 3 && certificates.idBlock.tagNumber === 0;
  return isCertificateSet ? (certificates as asn1js.Constructed).valueBlock.value.map(encodedBytes) : [];
}

/** An INTEGER as minimal lowercase hex of even length ("-" first if negative, which a TSA should not send). */
function integerHex(value: asn1js.Integer): string {
  const number = value.toBigInt();
  const hex = (number < 0n ? -number : number).toString(16);
  return `${number < 0n ? '-' : ''}${hex.length % 2 ? '0' : ''}${hex}`;
}

function checkMessageImprint(tstInfo: pkijs.TSTInfo, digest: Uint8Array): HashAlgorithmName {
  const { hashAlgorithm, hashedMessage } = tstInfo.messageImprint;
  const hash = hashAlgorithmByOid(hashAlgorithm.algorithmId);
  if (!hash || hash.name === 'SHA-1') {
    throw new TimestampVerificationError(
      `messageImprint hash algorithm ${hashAlgorithm.algorithmId} is not accepted`,
    );
  }
  if (!bytesEqual(hashedMessage.valueBlock.valueHexView, digest)) {
    throw new TimestampVerificationError('messageImprint does not match the digest');
  }
  return hash.name;
}

function checkNonce(tstInfo: pkijs.TSTInfo, nonce: bigint | Uint8Array): void {
  const expected = typeof nonce === 'bigint' ? nonce : unsignedToBigInt(nonce);
  if (!tstInfo.nonce) throw new TimestampVerificationError('nonce missing from the token');
  if (tstInfo.nonce.toBigInt() !== expected)
    throw new TimestampVerificationError('nonce does not match the request');
}

/** RFC 5652 §11.1: the signed content-type attribute must equal eContentType (pkijs only checks it is present). */
function checkContentTypeAttribute(signerInfo: pkijs.SignerInfo): void {
  const attributes = (signerInfo.signedAttrs?.attributes ?? []).filter(
    (a) => a.type === OID_CONTENT_TYPE_ATTRIBUTE,
  );
  const value: unknown = attributes.length === 1 ? attributes[0].values[0] : undefined;
  if (!(value instanceof asn1js.ObjectIdentifier) || value.valueBlock.toString() !== OID_TST_INFO) {
    throw new TimestampVerificationError('signed content-type attribute is not id-ct-TSTInfo');
  }
}

function parseTrusted(inputs: readonly (string | Uint8Array)[]): pkijs.Certificate[] {
  try {
    return parseCertificates(inputs);
  } catch (error) {
    throw new TimestampVerificationError(`trusted certificates: ${(error as Error).message}`);
  }
}

/**
 * The CMS signature over the signed attributes, and the chain to `trusted` at genTime when given.
 * Returns the signer certificate and the verified chain. pkijs's TSTInfo branch wants the original data to re-hash, and we only hold
 * its digest (already compared above), so pkijs is shown the content as plain id-data: it then checks the
 * messageDigest attribute against the TSTInfo bytes, the signature, and the chain, and nothing else changes.
 */
async function verifySignature(
  signedData: pkijs.SignedData,
  genTime: Date,
  trusted: pkijs.Certificate[] | undefined,
): Promise<{ signerCertificate: pkijs.Certificate; certificatePath: pkijs.Certificate[] }> {
  signedData.encapContentInfo.eContentType = '1.2.840.113549.1.7.1';
  let result: pkijs.SignedDataVerifyResult;
  try {
    result = (await signedData.verify(
      {
        signer: 0,
        checkDate: genTime,
        checkChain: trusted !== undefined,
        trustedCerts: trusted ?? [],
        extendedMode: true,
      },
      timestampCrypto,
    )) as pkijs.SignedDataVerifyResult;
  } catch (error) {
    const chain = error instanceof pkijs.SignedDataVerifyError && error.code === 5;
    const message = error instanceof Error ? error.message : String(error);
    throw new TimestampVerificationError(
      chain ? `certificate chain: ${message}` : `CMS signature: ${message}`,
    );
  } finally {
    signedData.encapContentInfo.eContentType = OID_TST_INFO;
  }
  if (!result.signatureVerified || !result.signerCertificate) {
    throw new TimestampVerificationError('CMS signature does not verify');
  }
  return { signerCertificate: result.signerCertificate, certificatePath: result.certificatePath };
}
