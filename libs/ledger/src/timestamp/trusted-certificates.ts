import * as pkijs from 'pkijs';
import { fromBase64 } from '../bytes';
import { parseAsn1 } from './der';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/** Certificates from PEM text (one or more blocks each) or DER bytes. */
export function parseCertificates(inputs: readonly (string | Uint8Array)[]): pkijs.Certificate[] {
  return inputs
    .flatMap((input) => (typeof input === 'string' ? pemBlocks(input) : [input]))
    .map(parseCertificate);
}

function pemBlocks(text: string): Uint8Array[] {
  const blocks = [...text.matchAll(PEM_BLOCK)].map((block) => fromBase64(block[1].replace(/\s+/g, '')));
  if (blocks.length === 0)
    throw new SyntaxError('a trusted certificate string holds no PEM CERTIFICATE block');
  return blocks;
}

function parseCertificate(der: Uint8Array): pkijs.Certificate {
  const asn1 = parseAsn1(der);
  if (!asn1) throw new SyntaxError('a trusted certificate is not valid DER');
  return new pkijs.Certificate({ schema: asn1 });
}
