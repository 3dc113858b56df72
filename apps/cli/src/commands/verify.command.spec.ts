import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { serializeEvidenceBundle } from '@app/ledger';
import { type SampleLog, buildSampleLog } from '@app/ledger/evidence/sample-bundle.fixture';
import { EXIT_NOT_VERIFIED, EXIT_USAGE, EXIT_VERIFIED, type VerifyOutput, runVerify } from './verify.command';

function capture(): VerifyOutput & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

describe('verbatim verify', () => {
  let dir: string;
  let sample: SampleLog;
  let good: string;
  let bad: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'verbatim-verify-'));
    sample = await buildSampleLog();
    good = join(dir, 'good.json');
    writeFileSync(good, serializeEvidenceBundle(sample.bundle));
    bad = join(dir, 'bad.json');
    writeFileSync(bad, serializeEvidenceBundle({ ...sample.bundle, treeSize: 6 }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 with a pinned key and states what is proven and not', async () => {
    const io = capture();
    expect(await runVerify(good, { key: sample.logKey, witnessKey: [sample.witnessKey] }, io)).toBe(
      EXIT_VERIFIED,
    );
    const text = io.stdout.join('\n');
    expect(text).toContain(`VERIFIED: ${good}`);
    expect(text).toContain(
      'Captured by archive.example.org/statements no later than 2022-02-27T10:05:00.000Z (cosignature by witness witness.example.net+',
    );
    expect(text).toContain('What this does NOT prove:');
    expect(text).toContain('Mastodon does not sign the content it serves');
    expect(text).toMatch(/\[skip\] timestamps: 1 token\(s\) present but not checked/);
    expect(text).not.toContain('NOT PINNED');
  });

  it('marks a check with nothing in the bundle to check `none`, not ` ok `', async () => {
    const bare = join(dir, 'bare.json');
    writeFileSync(bare, serializeEvidenceBundle({ ...sample.bundle, timestamps: [] }));
    const io = capture();
    expect(await runVerify(bare, { key: sample.logKey }, io)).toBe(EXIT_VERIFIED);
    const text = io.stdout.join('\n');
    expect(text).toContain('[none] timestamps: the bundle carries no timestamp token');
    expect(text).toContain(
      '[none] platform-signature: the bundle carries no platform signature of the record',
    );
    expect(text).toContain('[ ok ] inclusion-proof:');
  });

  it("prints the archive's history-gap note apart, as a note, not among what is proven", async () => {
    const noted = await buildSampleLog({
      historyGap: { kind: 'not-read', detail: 'answered 500', notedAt: '2022-02-27T10:00:01.000Z' },
    });
    const path = join(dir, 'noted.json');
    writeFileSync(path, serializeEvidenceBundle(noted.bundle));
    const io = capture();
    expect(await runVerify(path, { key: noted.logKey }, io)).toBe(EXIT_VERIFIED);
    const lines = io.stdout.join('\n').split('\n');
    const heading = lines.indexOf('Notes (unsigned, not verified):');
    expect(heading).toBeGreaterThan(lines.indexOf('What this does NOT prove:'));
    expect(heading).toBeLessThan(lines.indexOf('Checks:'));
    expect(lines[heading + 1]).toBe(
      "  - The archive's own note (unsigned, not in the log, not verified): the platform's edit history was not " +
        'read with version 1, so edits made before it may be missing from the archive ("answered 500", noted ' +
        '2022-02-27T10:00:01.000Z).',
    );
    expect(lines.filter((line) => line.includes('edit history'))).toHaveLength(1);

    const plain = capture();
    await runVerify(good, { key: sample.logKey }, plain);
    expect(plain.stdout.join('\n')).not.toContain('Notes (');
  });

  it('reads the key from a file', async () => {
    const keyFile = join(dir, 'log.vkey');
    writeFileSync(keyFile, `# the log key\n${sample.logKey}\n`);
    expect(await runVerify(good, { key: keyFile }, capture())).toBe(EXIT_VERIFIED);
  });

  it('says loudly when the key is not pinned', async () => {
    const io = capture();
    expect(await runVerify(good, {}, io)).toBe(EXIT_VERIFIED);
    const text = io.stdout.join('\n');
    expect(text.startsWith('!!! WARNING: THE LOG KEY IS NOT PINNED.')).toBe(true);
    expect(text).toContain('VERIFIED (against the UNPINNED key in the bundle)');
    expect(text).toContain('according to the log itself (no independent time was verified)');
  });

  it('exits 1 naming the failed check', async () => {
    const io = capture();
    expect(await runVerify(bad, { key: sample.logKey }, io)).toBe(EXIT_NOT_VERIFIED);
    expect(io.stdout.join('\n')).toContain(
      `NOT VERIFIED: ${bad}\nThe check "inclusion-proof" failed: the bundle's treeSize is 6, but the checkpoint is for a tree of size 5`,
    );
    const wrongKey = capture();
    expect(await runVerify(good, { key: sample.otherLogKey }, wrongKey)).toBe(EXIT_NOT_VERIFIED);
    expect(wrongKey.stdout.join('\n')).toContain('The check "checkpoint-signature" failed');
  });

  it('prints the report as JSON with --json', async () => {
    const io = capture();
    expect(await runVerify(good, { key: sample.logKey, json: true }, io)).toBe(EXIT_VERIFIED);
    const report = JSON.parse(io.stdout.join('\n')) as { ok: boolean; keyPinned: boolean; checks: unknown[] };
    expect(report).toMatchObject({ ok: true, keyPinned: true, notes: [] });
    expect(report.checks).toHaveLength(9);
  });

  it('exits 2 for a missing bundle file or a malformed key', async () => {
    const missing = capture();
    expect(await runVerify(join(dir, 'nope.json'), {}, missing)).toBe(EXIT_USAGE);
    expect(missing.stderr.join('\n')).toContain('cannot read');
    const badKey = capture();
    expect(await runVerify(good, { key: 'not-a-key' }, badKey)).toBe(EXIT_USAGE);
    expect(badKey.stderr.join('\n')).toContain('--key: not a verifier key');
  });

  // The real binary, when dist/ has been built (node scripts/build.mjs).
  const built = resolve(__dirname, '../../../../dist/apps/cli/src/main.js');
  (existsSync(built) ? it : it.skip)('runs as the built CLI', async () => {
    const run = promisify(execFile);
    const ok = await run(process.execPath, [built, 'verify', good, '--key', sample.logKey]);
    expect(ok.stdout).toContain(`VERIFIED: ${good}`);
    await expect(run(process.execPath, [built, 'verify', bad, '--key', sample.logKey])).rejects.toMatchObject(
      {
        code: 1,
        stdout: expect.stringContaining('The check "inclusion-proof" failed'),
      },
    );
  });
});
