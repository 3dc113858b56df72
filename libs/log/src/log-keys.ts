import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  ed25519Cosigner,
  ed25519NoteSigner,
  ed25519PublicKeyOf,
  formatVerifierKey,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
  type Cosigner,
  type NoteSigner,
} from '@app/ledger';

export interface LoadedKey {
  privateKey: KeyObject;
  publicKey: Uint8Array;
  path: string;
  created: boolean;
}

/**
 * An Ed25519 key from a PKCS#8 PEM file. When the file does not exist and `createIfMissing`, a new key is
 * generated into it with mode 0600 (the operator is told its verifier key at boot). Two processes starting
 * together on an empty data directory end up with the same key: the one that loses the creation race reads
 * the winner's.
 */
export function loadOrCreateKey(path: string, createIfMissing: boolean): LoadedKey {
  if (!existsSync(path)) {
    if (!createIfMissing) throw new Error(`key file ${path} does not exist`);
    const privateKey = createKeyFile(path);
    if (privateKey) return { privateKey, publicKey: ed25519PublicKeyOf(privateKey), path, created: true };
  }
  const privateKey = readKeyFile(path);
  return { privateKey, publicKey: ed25519PublicKeyOf(privateKey), path, created: false };
}

/**
 * Generates a key into `path` unless the file exists; null when another process created it first.
 * The key is written whole to a private temporary file, then published with link(2), which fails when the
 * name exists: readers never see a half-written key and a second creator never replaces the first one's.
 */
export function createKeyFile(path: string): KeyObject | null {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, pem, { mode: 0o600, flag: 'wx' });
  try {
    chmodSync(temporary, 0o600);
    linkSync(temporary, path);
    return privateKey;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return null;
    // file systems without hard links: an exclusive create still lets only one process win
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') return createExclusively(path, pem);
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

function createExclusively(path: string, pem: string | Buffer): KeyObject | null {
  try {
    writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw error;
  }
  return createPrivateKey(pem);
}

function readKeyFile(path: string): KeyObject {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path));
  } catch (error) {
    throw new Error(`key file ${path} is not a PKCS#8 PEM private key: ${(error as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`key file ${path} holds a ${privateKey.asymmetricKeyType} key; the log needs Ed25519`);
  }
  return privateKey;
}

export interface LogKey {
  origin: string;
  signer: NoteSigner;
  /** `origin+keyid+base64(0x01||pub)` */
  verifierKey: string;
  created: boolean;
  path: string;
}

/** The log's signing key; its name is the log's origin. */
export function loadLogKey(options: { origin: string; keyFile: string | null; dataDir: string }): LogKey {
  const key = loadOrCreateKey(
    options.keyFile ?? join(options.dataDir, 'log-key.pem'),
    options.keyFile === null,
  );
  return {
    origin: options.origin,
    signer: ed25519NoteSigner(options.origin, key.privateKey),
    verifierKey: formatVerifierKey({
      name: options.origin,
      type: SIGNATURE_TYPE_ED25519,
      publicKey: key.publicKey,
    }),
    created: key.created,
    path: key.path,
  };
}

export interface WitnessKey {
  name: string;
  cosigner: Cosigner;
  verifierKey: string;
}

/** The key this instance cosigns other logs' checkpoints with, as a C2SP witness. */
export function loadWitnessKey(options: {
  name: string;
  keyFile: string | null;
  dataDir: string;
}): WitnessKey {
  const key = loadOrCreateKey(
    options.keyFile ?? join(options.dataDir, 'witness-key.pem'),
    options.keyFile === null,
  );
  return {
    name: options.name,
    cosigner: ed25519Cosigner(options.name, key.privateKey),
    verifierKey: formatVerifierKey({
      name: options.name,
      type: SIGNATURE_TYPE_COSIGNATURE_V1,
      publicKey: key.publicKey,
    }),
  };
}
