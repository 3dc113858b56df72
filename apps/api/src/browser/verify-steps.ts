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

export type StepResult =
  'passed' | 'failed' | 'not run' | 'not checked' | 'not present' | 'not verified' | 'not yet signed';

export interface VerifyStep {
  /** Stable name for the step (a check name of the verifier, or one of the page's own). */
  readonly id: EvidenceCheckName | 'fetch' | 'shown' | 'summary' | 'note';
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

/** What the page shows, as its button says: a bundle of anything else proves nothing about this page. */
export interface ShownVersion {
  readonly statementId: string | undefined;
  readonly version: number | undefined;
  readonly recordSha256: string | undefined;
}

const SHOWN_LABEL = 'The bundle is of the version this page shows';

/**
 * The verifier calls any key it is given "pinned", as the CLI is given one from elsewhere; here the key came from
 * the site that served the bundle, so the step says so.
 */
function siteKeyWords(detail: string): string {
  return detail.replace(
    /\bthe pinned (log )?key\b/,
    'the key this archive publishes at /log/key (not pinned)',
  );
}

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

export function describeReport(
  report: EvidenceReport,
  ed25519Engine: string,
  shown: ShownVersion,
): VerifyStep[] {
  const steps: VerifyStep[] = [];
  for (const name of EVIDENCE_CHECKS) {
    const check = report.checks.find((c) => c.name === name);
    const label = LABELS[name];
    if (check === undefined) {
      steps.push({ id: name, label, result: 'not run', detail: 'an earlier step failed' });
    } else if (!check.ok) {
      steps.push({ id: name, label, result: 'failed', detail: siteKeyWords(check.detail) });
    } else if (check.absent || (check.skipped && name === 'record-hash')) {
      // nothing of this kind in the bundle (a withheld record among them): nothing here to check
      steps.push({ id: name, label, result: 'not present', detail: check.detail });
    } else if (check.skipped) {
      steps.push({ id: name, label, result: 'not checked', detail: skippedDetail(name, check.detail) });
    } else {
      const engine = name === 'checkpoint-signature' ? ` (Ed25519 checked with ${ed25519Engine})` : '';
      steps.push({ id: name, label, result: 'passed', detail: `${siteKeyWords(check.detail)}${engine}` });
    }
  }
  const match = shownStep(report, shown);
  steps.push(match, summary(report, match));
  // after the result, not among the checks: the archive's own word, which nothing here verified
  for (const note of report.notes) {
    steps.push({ id: 'note', label: 'Note from the archive', result: 'not verified', detail: note });
  }
  return steps;
}

/**
 * Whether the verified log entry is of the statement, version and record the page shows. Compared with the entry
 * the checks proved (the bundle's own fields are only its word), so it runs only once they all passed.
 */
function shownStep(report: EvidenceReport, shown: ShownVersion): VerifyStep {
  const entry = report.entry;
  if (!report.ok || entry === undefined)
    return { id: 'shown', label: SHOWN_LABEL, result: 'not run', detail: 'an earlier step failed' };
  const of = (statementId?: string, version?: number, recordSha256?: string) =>
    `statement ${statementId ?? '(none)'}, version ${version ?? '(none)'}, record ${recordSha256 ?? '(none)'}`;
  const bundle = of(entry.statementId, entry.version, entry.recordSha256);
  const page = of(shown.statementId, shown.version, shown.recordSha256);
  const same =
    shown.statementId !== undefined &&
    entry.statementId === shown.statementId &&
    entry.version === shown.version &&
    entry.recordSha256 === shown.recordSha256;
  return same
    ? { id: 'shown', label: SHOWN_LABEL, result: 'passed', detail: bundle }
    : {
        id: 'shown',
        label: SHOWN_LABEL,
        result: 'failed',
        detail: `the bundle is of ${bundle}, but this page shows ${page}`,
      };
}

function summary(report: EvidenceReport, match: VerifyStep): VerifyStep {
  if (!report.ok || match.result !== 'passed') {
    const failed = report.ok ? SHOWN_LABEL : LABELS[report.failedCheck as EvidenceCheckName];
    return {
      id: 'summary',
      label: 'Result',
      result: 'failed',
      detail: `NOT VERIFIED: the step "${failed}" failed`,
    };
  }
  return {
    id: 'summary',
    label: 'Result',
    result: 'passed',
    detail:
      "VERIFIED against the key this archive publishes at /log/key. That key comes from the same site as the bundle, so the archive is only vouching for itself: to pin the key, run `verbatim verify --key` with the log's key obtained elsewhere (its operator's site, a witness network's log list).",
  };
}

/** The line shown when the archive answers 202: the record is captured, but no signed checkpoint covers it yet. */
export function notYetLoggedStep(): VerifyStep {
  return {
    id: 'fetch',
    label: 'Evidence bundle',
    result: 'not yet signed',
    detail:
      'this version is captured but not yet in a signed checkpoint of the log, so there is nothing to verify yet; try again in a few seconds',
  };
}

/** The line shown when the bundle or the key cannot be fetched: nothing was verified. */
export function fetchFailureStep(what: string, reason: string): VerifyStep {
  return { id: 'fetch', label: `Fetching ${what}`, result: 'failed', detail: reason };
}
