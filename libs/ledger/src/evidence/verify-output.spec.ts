/**
 * What the verifier's report says, beside pass or fail: what was verified (a version's record, an observation),
 * worded for what the bundle holds; the remarks on its input (a byte-order mark, a `logKey` that is not the pinned
 * key); and the limits no check lifts.
 */
import { toHex } from '../bytes';
import { sha256 } from '../crypto';
import { serializeEvidenceBundle } from './bundle';
import { BYTE_ORDER_MARK_NOTE } from './bundle-text';
import { type JsonObject, jcsBytes } from './fields';
import { buildLogEntry } from './log-entry';
import {
  SAMPLE_ORIGIN,
  SAMPLE_RECORD,
  type SampleLog,
  buildObservationBundle,
  buildSampleLog,
  canonicalRecordSha,
  oneEntryBundle,
} from './sample-bundle.fixture';
import { CONTENT_TEXT_MAX_CHARACTERS, type EvidenceReport, verifyEvidenceBundle } from './verify-bundle';

/** A one-entry log holding version 3 of a statement whose record is `record`, and its bundle. */
async function versionBundle(record: JsonObject) {
  const leaf = buildLogEntry({
    type: 'snapshot',
    statementId: 'st_1',
    version: 3,
    recordSha256: toHex(sha256(jcsBytes(record, 'record'))),
    artifacts: [],
    capturedAt: '2024-05-01T12:00:00.000Z',
    origin: SAMPLE_ORIGIN,
  });
  return oneEntryBundle(SAMPLE_ORIGIN, leaf, { record });
}

function contentOf(report: EvidenceReport): Record<string, string> {
  expect(report.content).toBeDefined();
  return Object.fromEntries(report.content!.lines.map((line) => [line.label, line.value]));
}

function detailOf(report: EvidenceReport, name: string): string | undefined {
  return report.checks.find((check) => check.name === name)?.detail;
}

describe("the verifier's report", () => {
  let sample: SampleLog;
  beforeAll(async () => {
    sample = await buildSampleLog();
  });

  describe('of a version', () => {
    it("shows the record's content apart from the checks, under a heading naming the record hash", async () => {
      const report = await verifyEvidenceBundle(serializeEvidenceBundle(sample.bundle), {
        logKey: sample.logKey,
      });
      expect(report.ok).toBe(true);
      expect(report.remarks).toEqual([]);
      expect(report.content).toEqual({
        kind: 'record',
        heading: `What was verified: the record's content, which the record hash (SHA-256 ${canonicalRecordSha()}) covers`,
        lines: [
          { label: 'Platform', value: 'mastodon' },
          { label: 'Account', value: 'DmytroKuleba@mastodon.example' },
          { label: 'URL', value: 'https://mastodon.example/@DmytroKuleba/109876' },
          { label: 'Authored', value: '2022-02-27T09:58:00.000Z' },
          {
            label: 'Version',
            value: '1 of statement st_kuleba_icj (named by the log entry, not the record)',
          },
          {
            label: 'Text (64 characters, in full)',
            value: '"Ukraine has submitted its application against Russia to the ICJ."',
          },
        ],
      });
      // none of it among the checks or what is proven: the checks say what holds, the content what it holds for
      const said = [...report.checks.map((c) => c.detail), ...report.proven].join('\n');
      expect(said).not.toContain('Ukraine has submitted');
      expect(detailOf(report, 'leaf-contents')).toBe(
        'the leaf (snapshot of statement st_kuleba_icj, version 1) names this record and these 2 artifacts',
      );
    });

    it('shows an edited time, a title and a byline when the record has them, and escapes what a screen would hide', async () => {
      const { bundle, logKey } = await versionBundle({
        ...SAMPLE_RECORD,
        platform: 'web',
        account: 'https://mfa.example/press',
        url: 'https://mfa.example/press/1',
        authoredAt: null,
        editedAt: '2024-05-01T11:00:00.000Z',
        title: 'On the\nsummit',
        byline: 'Press office \u202eevil',
        text: 'Line one.\nLine two \u001b[2J.',
        parserVersion: 'web/1',
      });
      const report = await verifyEvidenceBundle(bundle, { logKey });
      expect(report.ok).toBe(true);
      expect(contentOf(report)).toEqual({
        Platform: 'web',
        Account: 'https://mfa.example/press',
        Byline: '"Press office \\u202eevil" (as the page printed it, not a verified author)',
        URL: 'https://mfa.example/press/1',
        Authored: 'not given by the platform',
        Edited: '2024-05-01T11:00:00.000Z',
        Version: '3 of statement st_1 (named by the log entry, not the record)',
        Title: '"On the\\nsummit"',
        'Text (24 characters, in full)': '"Line one.\\nLine two \\u001b[2J."',
      });
      for (const line of report.content!.lines) {
        expect(['\n', '\u001b', '\u202e'].some((char) => line.value.includes(char))).toBe(false);
      }
    });

    it('quotes a long text as an excerpt, saying its full length, without splitting a character', async () => {
      const text = `${'é'.repeat(CONTENT_TEXT_MAX_CHARACTERS - 1)}😀${'x'.repeat(1233)}`;
      const { bundle, logKey } = await versionBundle({ ...SAMPLE_RECORD, text });
      const report = await verifyEvidenceBundle(bundle, { logKey });
      const line = report.content!.lines.find((l) => l.label.startsWith('Text'))!;
      expect(line.label).toBe(
        'Text (an excerpt: the first 1,000 of 2,233 characters; the record in the bundle holds it all)',
      );
      expect(line.value).toBe(`"${'é'.repeat(CONTENT_TEXT_MAX_CHARACTERS - 1)}😀" (cut here)`);
    });

    it('says a withheld record is withheld, and shows no content but its version', async () => {
      const report = await verifyEvidenceBundle(
        { ...sample.bundle, record: null },
        { logKey: sample.logKey },
      );
      expect(report.ok).toBe(true);
      expect(report.content).toEqual({
        kind: 'record',
        heading: `The record: withheld from this bundle; only its hash ${canonicalRecordSha()} is given`,
        lines: [
          {
            label: 'Version',
            value: '1 of statement st_kuleba_icj (named by the log entry, not the record)',
          },
        ],
      });
      expect(detailOf(report, 'leaf-contents')).toBe(
        `the leaf (snapshot of statement st_kuleba_icj, version 1) names record ${canonicalRecordSha()} (withheld from this bundle) and these 2 artifacts`,
      );
    });

    it('shows no content when a check fails', async () => {
      const report = await verifyEvidenceBundle(
        { ...sample.bundle, record: { ...SAMPLE_RECORD, text: 'Forged.' } },
        { logKey: sample.logKey },
      );
      expect(report).toMatchObject({ ok: false, failedCheck: 'record-hash' });
      expect(report.content).toBeUndefined();
    });

    it('lists the limits of docs/evidence.md §5: the parser, and whether the archive holds every version', async () => {
      const report = await verifyEvidenceBundle(sample.bundle, { logKey: sample.logKey });
      const text = report.notProven.join('\n');
      expect(text).toContain(
        "That the parser read the platform's bytes right: the record is the archive's reading of the captured " +
          'bytes (parserVersion mastodon/1). Re-run the published parser on the artifact bodies to check it',
      );
      expect(text).toContain(
        'That the archive holds every version of the statement: this bundle shows that version 1 was logged, not ' +
          'that no other version existed or that the archive saw every edit.',
      );
      expect(text).toContain('That the platform actually served these bytes');
      expect(text).toContain('When the capture happened:');
    });
  });

  describe('of an observation', () => {
    it('words every line for an observation: no record named, when observed, not captured', async () => {
      const { bundle, logKey } = await buildObservationBundle();
      const report = await verifyEvidenceBundle(serializeEvidenceBundle(bundle), { logKey });
      expect(report.ok).toBe(true);
      expect(detailOf(report, 'leaf-contents')).toBe(
        'the leaf (observation of statement st_kuleba_icj, seen deleted) names no record (the bundle holds none) and no artifact',
      );
      expect(detailOf(report, 'artifact-bodies')).toBe(
        'the leaf names no artifact, so there is no body to check',
      );
      expect(detailOf(report, 'platform-signature')).toBe(
        'the bundle carries no platform signature (an observation has no record to sign)',
      );
      const all = [...report.checks.map((c) => c.detail), ...report.proven, ...report.notProven].join('\n');
      expect(all).not.toMatch(/names this record|capture happened|served these bytes|the parser/);
      expect(report.notProven).toContain(
        "When the observation was made: no timestamp token or witness cosignature was verified, so the time is only the log's own claim (capturedAt 2022-03-01T10:00:00.000Z in the leaf, vouched for by the log's signature).",
      );
      expect(all).toContain(
        'When the statement became deleted: the observation shows it deleted at 2022-03-01T10:00:00.000Z, not since when.',
      );
      expect(all).toContain(
        'That the platform really showed the statement as deleted: no answer of it is attached, so this is what archive.example.org/statements logged at 2022-03-01T10:00:00.000Z, on its own word.',
      );
      expect(report.content).toEqual({
        kind: 'observation',
        heading: 'What was verified: an observation, which the log entry holds (there is no record)',
        lines: [
          {
            label: 'Asked',
            value:
              'the platform, for statement st_kuleba_icj (the bundle names the statement, not the URL the archive asked)',
          },
          {
            label: 'Answered',
            value: 'no answer is attached (the observation records what the platform showed by its content)',
          },
          { label: 'Observed', value: "deleted, at 2022-03-01T10:00:00.000Z (by the log's own clock)" },
        ],
      });
    });

    it("shows what the platform answered: the head's status line and the body, quoted", async () => {
      const { bundle, logKey } = await buildObservationBundle({ withAnswer: true });
      const report = await verifyEvidenceBundle(bundle, { logKey });
      expect(report.ok).toBe(true);
      expect(detailOf(report, 'leaf-contents')).toBe(
        'the leaf (observation of statement st_kuleba_icj, seen deleted) names no record (the bundle holds none) and these 2 artifacts',
      );
      const content = contentOf(report);
      expect(content.Answered).toBe('HTTP/1.1 404 Not Found (the status line of the included response head)');
      expect(content['Answer (response)']).toMatch(
        /^28 bytes, application\/json, sha256 [0-9a-f]{64}: "\{\\"error\\":\\"Record not found\\"\}"$/,
      );
      expect(report.proven).toContain("The platform's answer is included: HTTP/1.1 404 Not Found.");
      expect(report.notProven.join('\n')).toContain(
        "That the platform really gave this answer: its answers are not signed, so this proves what archive.example.org/statements logged as the platform's answer at 2022-03-01T10:00:00.000Z",
      );
    });
  });

  describe('of a bundle saved with a byte-order mark', () => {
    it('reads through the mark and CRLF line ends, and says so in a note', async () => {
      const text = `\uFEFF${serializeEvidenceBundle(sample.bundle).replace(/\n/g, '\r\n')}`;
      const report = await verifyEvidenceBundle(text, { logKey: sample.logKey });
      expect(report.ok).toBe(true);
      expect(report.remarks).toEqual([BYTE_ORDER_MARK_NOTE]);
      expect(BYTE_ORDER_MARK_NOTE.text).toMatch(/^The file began with a byte-order mark \(U\+FEFF/);
      const plain = await verifyEvidenceBundle(serializeEvidenceBundle(sample.bundle), {
        logKey: sample.logKey,
      });
      expect(report.checks).toEqual(plain.checks);
      expect(report.proven).toEqual(plain.proven);
      // CRLF alone changes nothing, and needs no note
      const crlf = serializeEvidenceBundle(sample.bundle).replace(/\n/g, '\r\n');
      expect(await verifyEvidenceBundle(crlf, { logKey: sample.logKey })).toMatchObject({
        ok: true,
        remarks: [],
      });
    });

    it('keeps the note when a check fails, and still fails a tampered bundle', async () => {
      const text = `\uFEFF${serializeEvidenceBundle({ ...sample.bundle, treeSize: 6 })}`;
      const report = await verifyEvidenceBundle(text, { logKey: sample.logKey });
      expect(report).toMatchObject({
        ok: false,
        failedCheck: 'inclusion-proof',
        remarks: [BYTE_ORDER_MARK_NOTE],
      });
    });

    it('fails a mark anywhere but at the start: it is inside the JSON, not before it', async () => {
      const report = await verifyEvidenceBundle(`\n\uFEFF${serializeEvidenceBundle(sample.bundle)}`, {
        logKey: sample.logKey,
      });
      expect(report).toMatchObject({ ok: false, failedCheck: 'bundle-format' });
      expect(report.checks[0].detail).toContain('\\ufeff');
    });
  });

  describe('of a bundle whose logKey is not the pinned key', () => {
    it('warns, without failing, when the bundle names another key', async () => {
      const bundle = { ...sample.bundle, logKey: sample.otherLogKey };
      const report = await verifyEvidenceBundle(bundle, { logKey: sample.logKey });
      expect(report.ok).toBe(true);
      expect(report.remarks).toEqual([
        {
          level: 'warning',
          text:
            `The bundle's logKey field names another key than the one you pinned: the bundle says ${sample.otherLogKey}, ` +
            `you pinned ${sample.logKey}. The field is informational and was not used: the checkpoint signature is ` +
            'checked against the key you pinned, and only against it. A bundle naming another key may come from ' +
            "another log or from before the log changed its key, or have been edited: ask the log's operator which " +
            'key it published.',
        },
      ]);
      expect(detailOf(report, 'checkpoint-signature')).toContain(
        "(the bundle's own logKey differs and was ignored)",
      );
    });

    it('warns when the field is no key at all, showing it escaped', async () => {
      const bundle = { ...sample.bundle, logKey: 'not a key\u001b[31m' };
      const report = await verifyEvidenceBundle(bundle, { logKey: sample.logKey });
      expect(report.ok).toBe(true);
      expect(report.remarks).toEqual([
        {
          level: 'warning',
          text: expect.stringMatching(
            /^The bundle's logKey field is not a valid verifier key \(verifier key must be <name>\+<key id>\+<key>: "not a key\\u001b\[31m"\)\. The field is informational and was not used/,
          ),
        },
      ]);
      const empty = await verifyEvidenceBundle({ ...sample.bundle, logKey: '' }, { logKey: sample.logKey });
      expect(empty.ok).toBe(true);
      expect(empty.remarks[0].text).toContain('is not a valid verifier key (it is empty)');
    });

    it('still warns when the signature check fails, and says nothing when the keys agree or none is pinned', async () => {
      const failed = await verifyEvidenceBundle(sample.bundle, { logKey: sample.otherLogKey });
      expect(failed).toMatchObject({ ok: false, failedCheck: 'checkpoint-signature' });
      expect(failed.remarks.map((r) => r.level)).toEqual(['warning']);
      // the same key written with an upper-case key ID and surrounding space is the same key
      // (base64 may hold '+' too: the key is everything after the second one)
      const [name, id, ...rest] = sample.logKey.split('+');
      const key = rest.join('+');
      const same = await verifyEvidenceBundle(
        { ...sample.bundle, logKey: ` ${name}+${id.toUpperCase()}+${key}\n` },
        { logKey: sample.logKey },
      );
      expect(same).toMatchObject({ ok: true, remarks: [] });
      const unpinned = await verifyEvidenceBundle(sample.bundle);
      expect(unpinned).toMatchObject({ ok: true, remarks: [] });
    });
  });

  it('words a quotation as read and a version as captured', async () => {
    const claim = {
      kind: 'quotation',
      platform: 'x',
      handle: 'a',
      text: 'Quoted.',
      postUrl: 'https://x.com/a/1',
    };
    const leaf = buildLogEntry({
      type: 'quotation',
      statementId: 'qs_1',
      recordSha256: toHex(sha256(jcsBytes(claim, 'record'))),
      artifacts: [],
      capturedAt: '2024-03-01T10:00:00.000Z',
      origin: SAMPLE_ORIGIN,
    });
    const { bundle, logKey } = await oneEntryBundle(SAMPLE_ORIGIN, leaf, { record: claim });
    const report = await verifyEvidenceBundle(bundle, { logKey });
    expect(report.ok).toBe(true);
    expect(report.content).toBeUndefined();
    expect(report.notProven.join('\n')).toContain('When the document was read:');
    expect(report.notProven.join('\n')).not.toContain('When the capture happened');
  });
});
