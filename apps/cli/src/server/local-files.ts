import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type VerbatimConfig } from '@app/config';
import { loadOrCreateKey } from '@app/log';
import { type Roles } from './app.module';

const WHY_NOT_A_DIRECTORY: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'it is a file, not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
};

/**
 * Checks the data directory and the key files before Nest builds the app, so that one the server cannot use is
 * reported in one line naming its setting, not as an error from inside a module. Changes nothing but making the
 * data directory when it is missing (the modules would): a key that does not exist yet is left for its module to
 * generate, which tells the operator so.
 */
export function checkLocalFiles(config: VerbatimConfig, roles: Roles): void {
  checkDataDir(config.dataDir);
  checkKeyFile('VERBATIM_LOG_KEY_FILE', config.log.keyFile, join(config.dataDir, 'log-key.pem'));
  // the witness key is read by the API, and only once VERBATIM_WITNESS_FOR names a log
  if (roles.api && config.log.witnessFor.length > 0)
    checkKeyFile(
      'VERBATIM_WITNESS_KEY_FILE',
      config.log.witnessKeyFile,
      join(config.dataDir, 'witness-key.pem'),
    );
}

function checkDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    throw new Error(
      `VERBATIM_DATA_DIR: cannot use ${dir} as the data directory (${WHY_NOT_A_DIRECTORY[err.code ?? ''] ?? err.message}); ` +
        'point it at a directory Verbatim may create and write to',
    );
  }
}

/** A configured key file must hold a key; the default one, in the data directory, is made when missing. */
function checkKeyFile(setting: string, configured: string | null, defaultPath: string): void {
  if (configured !== null) {
    try {
      loadOrCreateKey(configured, false);
    } catch (error) {
      throw new Error(
        `${setting}: ${(error as Error).message}; point it at an Ed25519 private key in PKCS#8 PEM, or unset it ` +
          `to use ${defaultPath} (made on first start)`,
      );
    }
  } else if (existsSync(defaultPath)) {
    try {
      loadOrCreateKey(defaultPath, false);
    } catch (error) {
      // never replaced here: a new key would sign checkpoints no verifier of the old one accepts
      throw new Error(
        `VERBATIM_DATA_DIR: ${(error as Error).message}; restore the key from your backup, or set ${setting} to ` +
          'where it is',
      );
    }
  }
}
