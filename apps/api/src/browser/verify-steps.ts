/**
 * What the "Verify in this browser" list says, one step per line, from the report of the shared verifier
 * (libs/ledger verifyEvidenceBundle, the code `verbatim verify` runs). Plain data: the page writes it as
 * text, and a unit test reads it without a browser.
 */
import {
  EVIDENCE_CHECKS,
  type EvidenceCheckName,
  type EvidenceReport,
} from '@app/ledger/evidence/verify-bundle';

export type StepResult = 'passed' | 'failed' | 'not run' | 'not checked' | 'not present' | 'not verified';

export interface VerifyStep {
  /** Stable name for the step (a check name of the verifier, or one of the page's own). */
  readonly id: EvidenceCheckName | 'fetch' | 'summary' | 'note';
  readonly label: string;
  readonly result: StepResult;
  readonly detail: string;
}

const LABELS: Record<EvidenceCheckName, string> = {
  'bundle-format': 'Bundle format',
  'record-hash': 'Record hash (SHA-256 of the canonical JSON record)',
  'leaf-contents': 'Log entry names this record and its artifacts',
  'artifact-bodies': 'Artifact bodies match their hashes',
  'platform-signature': "Platform's own signature of the record (Bluesky record proof)",
  'checkpoint-signature': 'Checkpoint signature (Ed25519, key from /log/key)',
  'inclusion-proof': 'Leaf hash and inclusion proof up to the checkpoint root',
  timestamps: 'RFC 3161 timestamp tokens',
  cosignatures: 'Witness cosignatures',
};

/** Why a skipped check was not made here, in the reader's terms rather than the CLI's options. */
function skippedDetail(name: EvidenceCheckName, detail: string): string {
  if (name === 'timestamps') {
    return `${detail.replace(/ \(no trusted TSA certificates given\)$/, '')}: not checked in the browser, which has no trusted TSA certificates; run \`verbatim verify --tsa-cert <file>\` to check them`;
  }
  if (name === 'platform-signature') {
    return `${detail}: the platform's proof is checked by \`verbatim verify\` (the browser build carries no AT Protocol code)`;
  }
  if (name === 'cosignatures') {
    return `${detail.replace(/ \(no witness keys given\)$/, '')}: not checked in the browser, which knows no witness keys; run \`verbatim verify --witness-key <key>\` to check them`;
  }
  return detail;
}

export function describeReport(report: EvidenceReport, ed25519Engine: string): VerifyStep[] {
  const steps: VerifyStep[] = [];
  for (const name of EVIDENCE_CHECKS) {
    const check = report.checks.find((c) => c.name === name);
    const label = LABELS[name];
    if (check === undefined) {
      steps.push({ id: name, label, result: 'not run', detail: 'an earlier step failed' });
    } else if (!check.ok) {
      steps.push({ id: name, label, result: 'failed', detail: check.detail });
    } else if (check.absent || (check.skipped && name === 'record-hash')) {
      // nothing of this kind in the bundle (a withheld record among them): nothing here to check
      steps.push({ id: name, label, result: 'not present', detail: check.detail });
    } else if (check.skipped) {
      steps.push({ id: name, label, result: 'not checked', detail: skippedDetail(name, check.detail) });
    } else {
      const engine = name === 'checkpoint-signature' ? ` (Ed25519 checked with ${ed25519Engine})` : '';
      steps.push({ id: name, label, result: 'passed', detail: `${check.detail}${engine}` });
    }
  }
  steps.push(summary(report));
  // after the result, not among the checks: the archive's own word, which nothing here verified
  for (const note of report.notes) {
    steps.push({ id: 'note', label: 'Note from the archive', result: 'not verified', detail: note });
  }
  return steps;
}

function summary(report: EvidenceReport): VerifyStep {
  if (!report.ok) {
    return {
      id: 'summary',
      label: 'Result',
      result: 'failed',
      detail: `NOT VERIFIED: the step "${LABELS[report.failedCheck as EvidenceCheckName]}" failed`,
    };
  }
  return {
    id: 'summary',
    label: 'Result',
    result: 'passed',
    detail:
      "VERIFIED against the key this site publishes at /log/key. A site can only vouch for itself: compare that key with the log's key published elsewhere, or run `verbatim verify` with it.",
  };
}

/** The line shown when the bundle or the key cannot be fetched: nothing was verified. */
export function fetchFailureStep(what: string, reason: string): VerifyStep {
  return { id: 'fetch', label: `Fetching ${what}`, result: 'failed', detail: reason };
}
