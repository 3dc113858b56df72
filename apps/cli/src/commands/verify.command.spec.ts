import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { serializeEvidenceBundle } from '@app/ledger';
import {
  type SampleLog,
  buildObservationBundle,
  buildSampleLog,
} from '@app/ledger/evidence/sample-bundle.fixture';
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

  it("shows the version's content apart, marked as the record's, before what it proves", async () => {
    const io = capture();
    expect(await runVerify(good, { key: sample.logKey }, io)).toBe(EXIT_VERIFIED);
    const lines = io.stdout.join('\n').split('\n');
    const heading = lines.findIndex((line) =>
      line.startsWith("What was verified: the record's content, which the record hash (SHA-256 "),
    );
    expect(heading).toBeGreaterThan(0);
    expect(lines[heading - 1]).toBe('');
    expect(lines.slice(heading + 1, heading + 8)).toEqual([
      '  Platform: mastodon',
      '  Account: DmytroKuleba@mastodon.example',
      '  URL: https://mastodon.example/@DmytroKuleba/109876',
      '  Authored: 2022-02-27T09:58:00.000Z',
      '  Version: 1 of statement st_kuleba_icj (named by the log entry, not the record)',
      '  Text (64 characters, in full): "Ukraine has submitted its application against Russia to the ICJ."',
      '',
    ]);
    expect(lines[heading + 8]).toBe('What this proves:');
    expect(heading).toBeLessThan(lines.indexOf('Checks:'));
    // the two limits of docs/evidence.md §5 that no check lifts, and where they are explained
    const notProven = lines
      .slice(lines.indexOf('What this does NOT prove:'), lines.indexOf('Checks:'))
      .join('\n');
    expect(notProven).toContain("  - That the parser read the platform's bytes right:");
    expect(notProven).toContain('  - That the archive holds every version of the statement:');
    expect(notProven).toContain(
      '  (docs/evidence.md, "What a valid bundle does not prove", explains each limit.)',
    );
  });

  it('words an observation for what it is: asked, answered, observed; no record, no capture', async () => {
    const observation = await buildObservationBundle({ withAnswer: true });
    const path = join(dir, 'observation.json');
    writeFileSync(path, serializeEvidenceBundle(observation.bundle));
    const io = capture();
    expect(await runVerify(path, { key: observation.logKey }, io)).toBe(EXIT_VERIFIED);
    const text = io.stdout.join('\n');
    expect(text).toContain(
      'Observed by archive.example.org/statements (deleted) at 2022-03-01T10:00:00.000Z according to the log itself',
    );
    expect(text).toContain(
      [
        'What was verified: an observation, which the log entry holds (there is no record):',
        '  Asked: the platform, for statement st_kuleba_icj (the bundle names the statement, not the URL the archive asked)',
        '  Answered: HTTP/1.1 404 Not Found (the status line of the included response head)',
      ].join('\n'),
    );
    expect(text).toContain("  Observed: deleted, at 2022-03-01T10:00:00.000Z (by the log's own clock)");
    expect(text).toContain(
      '[ ok ] leaf-contents: the leaf (observation of statement st_kuleba_icj, seen deleted) names no record (the bundle holds none) and these 2 artifacts',
    );
    expect(text).toContain(
      '  - When the observation was made: no timestamp token or witness cosignature was verified',
    );
    expect(text).not.toMatch(/names this record|When the capture happened|Captured by/);
  });

  it('reads a bundle re-saved with a byte-order mark and CRLF, or as UTF-16, saying so in a note', async () => {
    const json = serializeEvidenceBundle(sample.bundle).replace(/\n/g, '\r\n');
    const bom = join(dir, 'bom.json');
    writeFileSync(bom, `\uFEFF${json}`);
    const io = capture();
    expect(await runVerify(bom, { key: sample.logKey }, io)).toBe(EXIT_VERIFIED);
    const lines = io.stdout.join('\n').split('\n');
    expect(lines.slice(0, 3)).toEqual([
      `VERIFIED: ${bom}`,
      expect.stringMatching(/^Captured by archive\.example\.org\/statements /),
      expect.stringMatching(/^Note: The file began with a byte-order mark \(U\+FEFF/),
    ]);

    const utf16 = join(dir, 'utf16.json');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')]));
    const wide = capture();
    expect(await runVerify(utf16, { key: sample.logKey, json: true }, wide)).toBe(EXIT_VERIFIED);
    const report = JSON.parse(wide.stdout.join('\n')) as { remarks: { level: string; text: string }[] };
    expect(report.remarks).toEqual([
      { level: 'note', text: expect.stringMatching(/^The file is UTF-16LE text with a byte-order mark/) },
    ]);
  });

  it('says "could not read the bundle" (exit 2), not NOT VERIFIED, for a file that is no JSON bundle', async () => {
    const cases: [string, string | Buffer, RegExp][] = [
      ['html.json', '<html>502 Bad Gateway</html>', /: it is not JSON \(Unexpected token '<'/],
      ['empty.json', '', /: it is empty\./],
      [
        'pending.json',
        '{"status":"pending"}',
        /: it is JSON, but not an evidence bundle \(no "format" field\)/,
      ],
      [
        'latin1.json',
        Buffer.from('{"format":"caf\xe9"}', 'latin1'),
        /: it is not UTF-8 text \(the byte at offset 14 /,
      ],
    ];
    for (const [name, body, reason] of cases) {
      const path = join(dir, name);
      writeFileSync(path, body);
      const io = capture();
      expect(await runVerify(path, { key: sample.logKey }, io)).toBe(EXIT_USAGE);
      expect(io.stdout).toEqual([]);
      const said = io.stderr.join('\n');
      expect(said).toMatch(
        new RegExp(`^verbatim verify: could not read the bundle ${path.replace(/[.]/g, '\\.')}`),
      );
      expect(said).toMatch(reason);
      expect(said).toContain('Nothing was verified (this is not a failed check).');
      expect(said).not.toContain('NOT VERIFIED');
    }
  });

  it("warns when the bundle's logKey is not the pinned key, and still verifies", async () => {
    const other = join(dir, 'other-key.json');
    writeFileSync(other, serializeEvidenceBundle({ ...sample.bundle, logKey: sample.otherLogKey }));
    const io = capture();
    expect(await runVerify(other, { key: sample.logKey }, io)).toBe(EXIT_VERIFIED);
    const lines = io.stdout.join('\n').split('\n');
    expect(lines[0]).toBe(`VERIFIED: ${other}`);
    expect(lines[2]).toBe(
      `Warning: The bundle's logKey field names another key than the one you pinned: the bundle says ${sample.otherLogKey}, ` +
        `you pinned ${sample.logKey}. The field is informational and was not used: the checkpoint signature is ` +
        'checked against the key you pinned, and only against it. A bundle naming another key may come from ' +
        "another log or from before the log changed its key, or have been edited: ask the log's operator which " +
        'key it published.',
    );
    // and beside a failure too: a bundle from another log fails the signature check, and the warning says why
    const failed = capture();
    expect(await runVerify(good, { key: sample.otherLogKey }, failed)).toBe(EXIT_NOT_VERIFIED);
    expect(failed.stdout.join('\n')).toMatch(
      /The check "checkpoint-signature" failed: [^\n]*\nWarning: The bundle's logKey field names another key/,
    );
    // no warning when they agree
    const plain = capture();
    await runVerify(good, { key: sample.logKey }, plain);
    expect(plain.stdout.join('\n')).not.toContain('Warning:');
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
