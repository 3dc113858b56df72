/**
 * `verbatim verify BUNDLE`: checks an evidence bundle offline (no network, no database) and says in plain
 * words what was verified (the record's content, or the observation), what it proves and what it does not.
 * Exit 0 when every check passes, 1 when one fails (named), 2 when the command itself cannot run: the file
 * cannot be read, is not text, is not JSON or not an evidence bundle at all ("could not read the bundle",
 * never "NOT VERIFIED"), a malformed --key, an unreadable certificate. A byte-order mark, CRLF line ends or
 * UTF-16, as Windows editors and shells write, change no JSON value and are read through, with a note.
 */
import { existsSync, readFileSync } from 'node:fs';
import { type Command } from 'commander';
import {
  type EvidenceRemark,
  type EvidenceReport,
  type TimestampVerifier,
  decodeBundleBytes,
  parseVerifierKey,
  unreadableBundleReason,
  verifyEvidenceBundle,
} from '@app/ledger';
import { parseCertificates } from '@app/ledger/timestamp/trusted-certificates';
import { checkBlueskyRecordProof } from '@app/sources/bluesky/bundle-proof';
import { verifyTimestampToken } from '@app/ledger/timestamp/timestamp-token';

export interface VerifyCommandOptions {
  /** The log's verifier key, or a file holding it. */
  key?: string;
  /** Files of trusted TSA certificates (PEM, or DER). */
  tsaCert?: string[];
  /** Witness verifier keys (or files holding one), whose cosignatures must all be present. */
  witnessKey?: string[];
  json?: boolean;
}

export interface VerifyOutput {
  out(text: string): void;
  err(text: string): void;
}

const consoleOutput: VerifyOutput = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

export const EXIT_VERIFIED = 0;
export const EXIT_NOT_VERIFIED = 1;
export const EXIT_USAGE = 2;

class UsageError extends Error {}

/** A verifier key given inline, or the first non-empty, non-comment line of a file. */
function resolveKey(value: string, option: string): string {
  const inline = value.trim();
  try {
    parseVerifierKey(inline);
    return inline;
  } catch (keyError) {
    if (!existsSync(value)) {
      throw new UsageError(`${option}: not a verifier key (${(keyError as Error).message}), nor a file`);
    }
  }
  const line = readFileSync(value, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'));
  if (line === undefined) throw new UsageError(`${option}: ${value} holds no key`);
  try {
    parseVerifierKey(line);
  } catch (error) {
    throw new UsageError(
      `${option}: ${value} does not hold a valid verifier key: ${(error as Error).message}`,
    );
  }
  return line;
}

function unreadable(bundlePath: string, reason: string): string {
  return `could not read the bundle ${bundlePath}: ${reason}. Nothing was verified (this is not a failed check).`;
}

/** RFC 3161 checks against the given trust anchors: chain, EKU, ESS binding, and the imprint. */
function tsaVerifier(files: readonly string[]): TimestampVerifier {
  const anchors = files.map((file): string | Uint8Array => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      throw new UsageError(`--tsa-cert: cannot read ${file}: ${(error as Error).message}`);
    }
    const text = bytes.toString('latin1');
    return text.includes('-----BEGIN CERTIFICATE-----') ? text : new Uint8Array(bytes);
  });
  try {
    parseCertificates(anchors);
  } catch (error) {
    throw new UsageError(`--tsa-cert: ${(error as Error).message}`);
  }
  return async (tokenDer, digest) => {
    const info = await verifyTimestampToken(tokenDer, { digest, trustedCerts: anchors });
    if (!info.chainVerified) throw new Error('the token does not chain to a trusted TSA certificate');
    return { genTime: info.genTime, signer: info.signerCertificate };
  };
}

/** `none`: the bundle holds nothing for the check, so it proves nothing, as `skip` does not; only ` ok ` proves. */
function checkMark(check: EvidenceReport['checks'][number]): string {
  if (!check.ok) return 'FAIL';
  if (check.absent) return 'none';
  return check.skipped ? 'skip' : ' ok ';
}

const NOT_PINNED_BANNER = [
  '!!! WARNING: THE LOG KEY IS NOT PINNED.',
  '!!! The checkpoint signature was checked with the key the bundle itself carries. Anyone can make a',
  "!!! bundle that passes this way. Get the log's published verifier key independently and run again",
  '!!! with --key <key or file>.',
];

/** "Warning: …" / "Note: …": the verifier's remarks on its input, neither checks nor failures. */
function remarkLines(remarks: readonly EvidenceRemark[]): string[] {
  return remarks.map((remark) => `${remark.level === 'warning' ? 'Warning' : 'Note'}: ${remark.text}`);
}

/** The headline's second line: what the bundle holds, by whom and when. */
function summaryLine(report: EvidenceReport): string {
  const when =
    report.capturedNoLaterThan !== undefined
      ? `no later than ${report.capturedNoLaterThan.toISOString()} (${report.capturedNoLaterThanBy})`
      : `at ${report.entry?.capturedAt} according to the log itself (no independent time was verified)`;
  switch (report.entry?.type) {
    case 'observation':
      return `Observed by ${report.origin} (${report.entry.status}) ${when}, unchanged since.`;
    case 'quotation':
      return `Quotation read by ${report.origin} ${when}, unchanged since.`;
    case 'media':
      return `Media file downloaded by ${report.origin} ${when}, unchanged since.`;
    default:
      return `Captured by ${report.origin} ${when}, unchanged since.`;
  }
}

/** What was verified, apart from the checks and from what they prove: the record's content, or the observation. */
function contentLines(report: EvidenceReport): string[] {
  if (report.content === undefined) return [];
  return [
    '',
    `${report.content.heading}:`,
    ...report.content.lines.map((line) => `  ${line.label}: ${line.value}`),
  ];
}

/** The report as plain text, headline first. */
export function formatReport(report: EvidenceReport, bundlePath: string): string[] {
  const lines: string[] = [];
  if (!report.keyPinned) lines.push(...NOT_PINNED_BANNER, '');
  if (!report.ok) {
    const failed = report.checks[report.checks.length - 1];
    lines.push(
      `NOT VERIFIED: ${bundlePath}`,
      `The check "${failed.name}" failed: ${failed.detail}`,
      ...remarkLines(report.remarks),
    );
  } else {
    lines.push(
      `VERIFIED${report.keyPinned ? '' : ' (against the UNPINNED key in the bundle)'}: ${bundlePath}`,
      summaryLine(report),
      ...remarkLines(report.remarks),
      ...contentLines(report),
      '',
      'What this proves:',
      ...report.proven.map((line) => `  - ${line}`),
      '',
      'What this does NOT prove:',
      ...report.notProven.map((line) => `  - ${line}`),
      '  (docs/evidence.md, "What a valid bundle does not prove", explains each limit.)',
    );
  }
  if (report.notes.length > 0) {
    // apart from what is proven: the archive's word only, which no check covers
    lines.push('', 'Notes (unsigned, not verified):', ...report.notes.map((line) => `  - ${line}`));
  }
  lines.push('', 'Checks:', ...report.checks.map((c) => `  [${checkMark(c)}] ${c.name}: ${c.detail}`));
  if (!report.keyPinned) lines.push('', ...NOT_PINNED_BANNER);
  return lines;
}

export async function runVerify(
  bundlePath: string,
  opts: VerifyCommandOptions,
  output: VerifyOutput = consoleOutput,
): Promise<number> {
  let report: EvidenceReport;
  let remarks: EvidenceRemark[] = [];
  try {
    const logKey = opts.key === undefined ? undefined : resolveKey(opts.key, '--key');
    const witnessKeys = (opts.witnessKey ?? []).map((key) => resolveKey(key, '--witness-key'));
    const timestampVerifier = opts.tsaCert?.length ? tsaVerifier(opts.tsaCert) : undefined;
    let bytes: Buffer;
    try {
      bytes = readFileSync(bundlePath);
    } catch (error) {
      throw new UsageError(`cannot read ${bundlePath}: ${(error as Error).message}`);
    }
    let text: string;
    try {
      ({ text, remarks } = decodeBundleBytes(bytes));
    } catch (error) {
      throw new UsageError(unreadable(bundlePath, (error as Error).message));
    }
    // not a bundle at all (an error page, an API's 202): nothing to verify, which is not a failed check
    const reason = unreadableBundleReason(text);
    if (reason !== null) throw new UsageError(unreadable(bundlePath, reason));
    report = await verifyEvidenceBundle(text, {
      // the platform's own signature, where the bundle carries one (Bluesky: AT Protocol record proofs)
      platformProof: checkBlueskyRecordProof,
      ...(logKey !== undefined ? { logKey } : {}),
      ...(timestampVerifier !== undefined ? { timestampVerifier } : {}),
      ...(witnessKeys.length > 0 ? { witnessKeys } : {}),
    });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.err(`verbatim verify: ${error.message}`);
    return EXIT_USAGE;
  }
  // how the file was read (UTF-16, a byte-order mark) first, then what the verifier found in the bundle
  report = { ...report, remarks: [...remarks, ...report.remarks] };
  if (opts.json) output.out(JSON.stringify(report, null, 2));
  else output.out(formatReport(report, bundlePath).join('\n'));
  return report.ok ? EXIT_VERIFIED : EXIT_NOT_VERIFIED;
}

export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description('check an evidence bundle offline and say what it proves (no network, no database)')
    .argument('<bundle>', 'the evidence bundle (.json)')
    .option('--key <key-or-file>', "the log's verifier key, obtained independently (strongly recommended)")
    .option('--tsa-cert <pem...>', 'trusted TSA certificate files; without them timestamps are not checked')
    .option('--witness-key <key...>', 'witness verifier keys (or files) whose cosignatures must be present')
    .option('--json', 'print the full report as JSON')
    .action(async (bundle: string, opts: VerifyCommandOptions) => {
      process.exitCode = await runVerify(bundle, opts);
    });
}
