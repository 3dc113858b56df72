import { readFileSync } from 'node:fs';
import { parseCertificates } from '@app/ledger/timestamp/trusted-certificates';

const WHY_UNREADABLE: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
};

const WHAT_TO_SET =
  "point it at a PEM file of the certificates the TSAs' tokens must chain to (-----BEGIN CERTIFICATE-----), " +
  'or unset it to store tokens without checking their chain';

/**
 * The certificates of VERBATIM_TSA_TRUST_FILE, read and checked once when the workers start, so a file that is
 * missing or holds no certificate stops the process instead of failing every checkpoint's timestamps.
 * Undefined when no file is set: tokens are then checked without a chain.
 */
export function readTsaTrustFile(file: string | null): string[] | undefined {
  if (file === null) return undefined;
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    throw new Error(
      `VERBATIM_TSA_TRUST_FILE: cannot read ${file} (${WHY_UNREADABLE[err.code ?? ''] ?? err.message}); ${WHAT_TO_SET}`,
    );
  }
  try {
    parseCertificates([pem]);
  } catch (error) {
    throw new Error(
      `VERBATIM_TSA_TRUST_FILE: ${file} holds no usable certificate (${(error as Error).message}); ${WHAT_TO_SET}`,
    );
  }
  return [pem];
}
