/**
 * `verbatim audit`: recomputes the whole log from its entries and checks every stored node, checkpoint,
 * version and artifact against it (see libs/log/src/audit). Exit 0 when everything matches, 1 naming the
 * first entry, node or checkpoint that does not, 2 when the audit cannot run (bad key, unreadable file, a
 * database that is missing or whose migrations are behind).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileBlobStore, blobDirectory } from '@app/blobs';
import { loadConfig } from '@app/config';
import { parseVerifierKey } from '@app/ledger';
import { loadLogKey } from '@app/log';
import { auditLog, type AuditReport } from '@app/log/audit';
import { withDatabase } from './with-database';

export interface AuditCommandOptions {
  /** The log's verifier key, or a file holding it; default: the configured log key. */
  key?: string;
  batchSize?: string;
  json?: boolean;
}

export const EXIT_AUDIT_PASSED = 0;
export const EXIT_AUDIT_FAILED = 1;
export const EXIT_AUDIT_USAGE = 2;

class UsageError extends Error {}

/** A verifier key given inline, or the first line of a file that is neither blank nor a comment. */
function resolveKey(value: string): string {
  try {
    parseVerifierKey(value.trim());
    return value.trim();
  } catch (error) {
    if (!existsSync(value)) {
      throw new UsageError(`--key: not a verifier key (${(error as Error).message}), nor a file`);
    }
  }
  const line = readFileSync(value, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'));
  try {
    parseVerifierKey(line ?? '');
  } catch (error) {
    throw new UsageError(`--key: ${value} does not hold a verifier key (${(error as Error).message})`);
  }
  return line as string;
}

/** The running configuration's log key, never created here: auditing with a fresh key proves nothing. */
function configuredKey(): string {
  const config = loadConfig();
  return loadLogKey({
    origin: config.log.origin,
    keyFile: config.log.keyFile ?? join(config.dataDir, 'log-key.pem'),
    dataDir: config.dataDir,
  }).verifierKey;
}

export function formatAuditReport(report: AuditReport): string[] {
  const counts = `${report.entries} entries, ${report.size} leaves, ${report.nodes} stored nodes, ${report.checkpoints} checkpoints, ${report.blobs} blob files`;
  if (report.ok) return [`AUDIT PASSED: log ${report.origin}: ${counts}; everything matches.`];
  const total = report.problems.length + report.omittedProblems;
  return [
    `AUDIT FAILED: ${report.problems[0]}`,
    `log ${report.origin}: ${counts}; ${total} problem${total === 1 ? '' : 's'}:`,
    ...report.problems.map((p) => `  - ${p}`),
    ...(report.omittedProblems > 0 ? [`  … and ${report.omittedProblems} more`] : []),
  ];
}

export async function auditCommand(opts: AuditCommandOptions): Promise<number> {
  let logKey: string;
  let batchSize: number | undefined;
  try {
    logKey = opts.key !== undefined ? resolveKey(opts.key) : configuredKey();
    if (opts.batchSize !== undefined) {
      batchSize = Number(opts.batchSize);
      if (!Number.isSafeInteger(batchSize) || batchSize < 1)
        throw new UsageError('--batch-size: a positive integer');
    }
  } catch (error) {
    console.error(`verbatim audit: ${(error as Error).message}`);
    return EXIT_AUDIT_USAGE;
  }
  let report;
  let auditError: unknown;
  try {
    const blobs = new FileBlobStore(blobDirectory(loadConfig()));
    report = await withDatabase((db) =>
      auditLog(db, { logKey, blobs, ...(batchSize ? { batchSize } : {}) }).catch((error: unknown) => {
        auditError = error;
        throw error;
      }),
    );
  } catch (error) {
    // an error while auditing stays a failure (exit 1 may mean tampering); one before it (settings, a database
    // that cannot be reached) means the audit could not run, exit 2
    if (error === auditError) throw error;
    console.error(`verbatim audit: could not run: ${(error as Error).message}`);
    return EXIT_AUDIT_USAGE;
  }
  if (opts.json) console.log(JSON.stringify(report, null, 2));
  else console.log(formatAuditReport(report).join('\n'));
  return report.ok ? EXIT_AUDIT_PASSED : EXIT_AUDIT_FAILED;
}
