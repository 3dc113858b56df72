import { type EvidenceBundle, parseNote, verifyEvidenceBundle } from '@app/ledger';
import { buildSampleLog, type SampleLog } from '@app/ledger/evidence/sample-bundle.fixture';
import { describeReport, type VerifyStep } from './verify-steps';

const byId = (steps: VerifyStep[]) => Object.fromEntries(steps.map((step) => [step.id, step]));
const results = (steps: VerifyStep[]) => Object.fromEntries(steps.map((step) => [step.id, step.result]));

describe('the steps "Verify in this browser" lists', () => {
  let sample: SampleLog;
  beforeAll(async () => {
    sample = await buildSampleLog();
  });

  async function stepsFor(bundle: EvidenceBundle): Promise<VerifyStep[]> {
    return describeReport(await verifyEvidenceBundle(bundle, { logKey: sample.logKey }), 'WebCrypto');
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
      summary: 'passed',
    });
    const step = byId(steps);
    expect(step['checkpoint-signature'].detail).toMatch(
      /the pinned key.*\(Ed25519 checked with WebCrypto\)$/,
    );
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
    for (const later of ['leaf-contents', 'checkpoint-signature', 'inclusion-proof', 'timestamps']) {
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
});
