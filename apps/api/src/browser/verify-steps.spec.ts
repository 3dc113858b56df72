import { type EvidenceBundle, parseNote, verifyEvidenceBundle } from '@app/ledger';
import { buildSampleLog, type SampleLog } from '@app/ledger/evidence/sample-bundle.fixture';
import { describeReport, type ShownVersion, type VerifyStep } from './verify-steps';

const byId = (steps: VerifyStep[]) => Object.fromEntries(steps.map((step) => [step.id, step]));
const results = (steps: VerifyStep[]) => Object.fromEntries(steps.map((step) => [step.id, step.result]));

describe('the steps "Verify in this browser" lists', () => {
  let sample: SampleLog;
  beforeAll(async () => {
    sample = await buildSampleLog();
  });

  /** What the sample's page would show: its statement, version and record. */
  const shownBy = (bundle: EvidenceBundle): ShownVersion => ({
    statementId: 'st_kuleba_icj',
    version: 1,
    recordSha256: bundle.recordSha256 ?? undefined,
  });

  async function stepsFor(bundle: EvidenceBundle, shown = shownBy(sample.bundle)): Promise<VerifyStep[]> {
    return describeReport(await verifyEvidenceBundle(bundle, { logKey: sample.logKey }), 'WebCrypto', shown);
  }

  it('lists every check of the shared verifier, saying honestly what the browser cannot check', async () => {
    const steps = await stepsFor(sample.bundle);
    expect(results(steps)).toEqual({
      'bundle-format': 'passed',
      'record-hash': 'passed',
      'leaf-contents': 'passed',
      'artifact-bodies': 'passed',
      'checkpoint-signature': 'passed',
      'inclusion-proof': 'passed',
      timestamps: 'not checked',
      cosignatures: 'not checked',
      'platform-signature': 'not present',
      shown: 'passed',
      summary: 'passed',
    });
    const step = byId(steps);
    // the key came from the archive itself: the list says so, and never calls it pinned
    expect(step['checkpoint-signature'].detail).toMatch(
      /, the key this archive publishes at \/log\/key \(not pinned\); .*\(Ed25519 checked with WebCrypto\)$/,
    );
    expect(step.summary.detail).toMatch(/^VERIFIED against the key this archive publishes at \/log\/key\./);
    expect(step.summary.detail).toContain(
      "run `verbatim verify --key` with the log's key obtained elsewhere",
    );
    expect(steps.map((s) => s.detail).join('\n')).not.toMatch(/the pinned key/);
    expect(step.timestamps.detail).toBe(
      '1 token(s) present but not checked: not checked in the browser, which has no trusted TSA certificates; run `verbatim verify --tsa-cert <file>` to check them',
    );
    expect(step.cosignatures.detail).toMatch(
      /^1 other signature\(s\) on the checkpoint, not checked: not checked in the browser/,
    );
  });

  it('names the failed step, and marks the later ones as not run', async () => {
    const record = { ...sample.bundle.record!, text: 'Ukraine has withdrawn its application.' };
    const steps = await stepsFor({ ...sample.bundle, record });
    const step = byId(steps);
    expect(step['bundle-format'].result).toBe('passed');
    expect(step['record-hash']).toMatchObject({
      result: 'failed',
      detail: expect.stringMatching(/but recordSha256 is/),
    });
    for (const later of ['leaf-contents', 'checkpoint-signature', 'inclusion-proof', 'timestamps', 'shown']) {
      expect(step[later]).toMatchObject({ result: 'not run', detail: 'an earlier step failed' });
    }
    expect(step.summary).toMatchObject({
      result: 'failed',
      detail: 'NOT VERIFIED: the step "Record hash (SHA-256 of the canonical JSON record)" failed',
    });
  });

  it("lists the archive's history-gap note after the result, as not verified", async () => {
    const noted = await buildSampleLog({
      historyGap: { kind: 'not-read', detail: 'answered 500', notedAt: '2022-02-27T10:00:01.000Z' },
    });
    const steps = describeReport(
      await verifyEvidenceBundle(noted.bundle, { logKey: noted.logKey }),
      'WebCrypto',
      shownBy(noted.bundle),
    );
    expect(steps.slice(-2).map((step) => [step.id, step.result])).toEqual([
      ['summary', 'passed'],
      ['note', 'not verified'],
    ]);
    expect(steps[steps.length - 1]).toMatchObject({
      label: 'Note from the archive',
      detail: expect.stringMatching(
        /^The archive's own note \(unsigned, not in the log, not verified\): the platform's edit history was not read with version 1/,
      ),
    });
    expect((await stepsFor(sample.bundle)).some((step) => step.id === 'note')).toBe(false);
  });

  it('says a withheld record and a bare checkpoint are not present, rather than checked', async () => {
    const { text } = parseNote(sample.bundle.checkpoint);
    // the log's own signature line only: the witness cosignature dropped
    const logLine = sample.bundle.checkpoint.slice(text.length + 1).split('\n')[0];
    const steps = await stepsFor({
      ...sample.bundle,
      record: null,
      timestamps: [],
      checkpoint: `${text}\n${logLine}\n`,
    });
    expect(results(steps)).toMatchObject({
      'record-hash': 'not present',
      timestamps: 'not present',
      cosignatures: 'not present',
      summary: 'passed',
    });
  });

  it('refuses a bundle that verifies but is of another version or record than the page shows', async () => {
    const valid = sample.bundle.recordSha256!;
    const other = 'ab'.repeat(32);
    for (const shown of [
      { ...shownBy(sample.bundle), version: 2 },
      { ...shownBy(sample.bundle), recordSha256: other },
      { ...shownBy(sample.bundle), statementId: 'st_another' },
      { statementId: undefined, version: undefined, recordSha256: undefined },
    ]) {
      const steps = await stepsFor(sample.bundle, shown);
      const step = byId(steps);
      // every check of the bundle passes: it is a good bundle, of something else
      expect(step['inclusion-proof'].result).toBe('passed');
      expect(step.shown).toMatchObject({ result: 'failed' });
      expect(step.shown.detail).toBe(
        `the bundle is of statement st_kuleba_icj, version 1, record ${valid}, but this page shows ` +
          `statement ${shown.statementId ?? '(none)'}, version ${shown.version ?? '(none)'}, record ${shown.recordSha256 ?? '(none)'}`,
      );
      expect(step.summary).toMatchObject({
        result: 'failed',
        detail: 'NOT VERIFIED: the step "The bundle is of the version this page shows" failed',
      });
    }
    expect(byId(await stepsFor(sample.bundle)).shown).toMatchObject({
      result: 'passed',
      detail: `statement st_kuleba_icj, version 1, record ${valid}`,
    });
  });
});
