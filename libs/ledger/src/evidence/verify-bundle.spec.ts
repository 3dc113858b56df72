import { fromBase64, toBase64, utf8 } from '../bytes';
import { sha256 } from '../crypto';
import { type EvidenceBundle, serializeEvidenceBundle } from './bundle';
import { type JsonObject } from './fields';
import {
  type SampleLog,
  TSA_TIME,
  WITNESS_TIME,
  buildObservationBundle,
  buildSampleLog,
  fakeToken,
} from './sample-bundle.fixture';
import { type EvidenceCheckName, verifyEvidenceBundle } from './verify-bundle';

type Mutable = { -readonly [K in keyof EvidenceBundle]: EvidenceBundle[K] } & Record<string, unknown>;

/** A deep copy of the bundle, changed by `change`. */
function tampered(bundle: EvidenceBundle, change: (copy: Mutable) => void): Mutable {
  const copy = JSON.parse(JSON.stringify(bundle)) as Mutable;
  change(copy);
  return copy;
}

function flipBase64Byte(text: string, index: number): string {
  const bytes = fromBase64(text);
  bytes[index] ^= 0x01;
  return toBase64(bytes);
}

/** Replaces the first occurrence of `from` in `text`, failing the test if it is not there. */
function replaceOnce(text: string, from: string, to: string): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}

describe('verifyEvidenceBundle', () => {
  let sample: SampleLog;
  beforeAll(async () => {
    sample = await buildSampleLog();
  });

  async function expectFailure(bundle: unknown, check: EvidenceCheckName, detail?: RegExp): Promise<void> {
    const report = await verifyEvidenceBundle(bundle, { logKey: sample.logKey });
    expect(report.ok).toBe(false);
    expect(report.failedCheck).toBe(check);
    const last = report.checks[report.checks.length - 1];
    expect(last).toMatchObject({ name: check, ok: false });
    // every check before the failure passed
    expect(report.checks.slice(0, -1).every((c) => c.ok)).toBe(true);
    if (detail !== undefined) expect(last.detail).toMatch(detail);
    expect(report.proven).toEqual([]);
  }

  it('verifies a real bundle with a pinned key, a timestamp and a witness', async () => {
    const report = await verifyEvidenceBundle(serializeEvidenceBundle(sample.bundle), {
      logKey: sample.logKey,
      timestampVerifier: sample.timestampVerifier,
      witnessKeys: [sample.witnessKey],
    });
    expect(report.ok).toBe(true);
    expect(report.keyPinned).toBe(true);
    expect(report.checks.map((c) => [c.name, c.ok, c.skipped ?? false])).toEqual([
      ['bundle-format', true, false],
      ['record-hash', true, false],
      ['leaf-contents', true, false],
      ['artifact-bodies', true, false],
      ['platform-signature', true, false],
      ['checkpoint-signature', true, false],
      ['inclusion-proof', true, false],
      ['timestamps', true, false],
      ['cosignatures', true, false],
    ]);
    // the witness (10:05) is earlier than the TSA (10:07)
    expect(report.capturedNoLaterThan).toEqual(new Date(WITNESS_TIME * 1000));
    expect(report.capturedNoLaterThanBy).toMatch(
      /^cosignature by witness witness\.example\.net\+[0-9a-f]{8}$/,
    );
    expect(report.proven[0]).toBe(
      'This record (statement st_kuleba_icj, version 1) was captured by archive.example.org/statements and ' +
        'included in its log at index 2; the log signed a checkpoint (tree size 5) committing to it.',
    );
    expect(report.proven).toContain(
      `The checkpoint existed no later than ${TSA_TIME.toISOString()} (RFC 3161 token from tsa.example.com (signed by CN=Test TSA)).`,
    );
    expect(report.proven).toContain(
      'Captured no later than 2022-02-27T10:05:00.000Z (' +
        report.capturedNoLaterThanBy +
        '), and unchanged since.',
    );
    expect(report.notProven.join('\n')).toMatch(
      /platform actually served these bytes \(Mastodon does not sign the content it serves\)/,
    );
    expect(report.notProven.join('\n')).not.toMatch(/NOT PINNED|split view/);
    expect(report.entry?.statementId).toBe('st_kuleba_icj');
  });

  it('uses the earliest attested time: a TSA token earlier than the witness wins', async () => {
    const early = new Date('2022-02-27T10:01:00.000Z');
    const note = sample.bundle.checkpoint;
    const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
    const bundle = tampered(sample.bundle, (b) => {
      b.timestamps = [
        ...b.timestamps,
        { tsa: 'tsa2.example.org', token: toBase64(fakeToken(sha256(utf8(text)), early)) },
      ];
    });
    const report = await verifyEvidenceBundle(bundle, {
      logKey: sample.logKey,
      timestampVerifier: sample.timestampVerifier,
      witnessKeys: [sample.witnessKey],
    });
    expect(report.ok).toBe(true);
    expect(report.capturedNoLaterThan).toEqual(early);
    expect(report.capturedNoLaterThanBy).toBe('RFC 3161 token from tsa2.example.org (signed by CN=Test TSA)');
  });

  it('reports a check with nothing in the bundle to check as absent, neither proven nor skipped', async () => {
    // no timestamp token, no platform proof (a Mastodon record), and the witness's cosignature taken off
    const checkpoint = sample.bundle.checkpoint
      .split('\n')
      .filter((line) => !line.startsWith('— witness.example.net '))
      .join('\n');
    const report = await verifyEvidenceBundle(
      { ...sample.bundle, checkpoint, timestamps: [], witnesses: [] },
      { logKey: sample.logKey },
    );
    expect(report.ok).toBe(true);
    const absent = report.checks.filter((c) => c.absent).map((c) => [c.name, c.ok, c.skipped ?? false]);
    expect(absent).toEqual([
      ['platform-signature', true, false],
      ['timestamps', true, false],
      ['cosignatures', true, false],
    ]);
    expect(report.checks.find((c) => c.name === 'cosignatures')!.detail).toBe(
      'the checkpoint carries no witness cosignature',
    );
    // checks that ran are not marked absent
    expect(report.checks.find((c) => c.name === 'inclusion-proof')!.absent).toBeUndefined();
  });

  it('reports record-hash as absent for a bundle with no record that names none (an observation)', async () => {
    const { bundle, logKey } = await buildObservationBundle();
    expect([bundle.record, bundle.recordSha256]).toEqual([null, null]);
    const report = await verifyEvidenceBundle(serializeEvidenceBundle(bundle), { logKey });
    expect(report.ok).toBe(true);
    // absent, not passed: nothing was hashed, so nothing is proven by it
    expect(report.checks.find((c) => c.name === 'record-hash')).toEqual({
      name: 'record-hash',
      ok: true,
      detail: 'the bundle carries no record and names none',
      absent: true,
    });
    expect(report.proven.join('\n')).not.toMatch(/byte for byte|RFC 8785/);
  });

  it("shows the archive's history-gap note as an unsigned note, never as verified", async () => {
    const gap = {
      kind: 'cut-short',
      detail: '9 of 59 missed edits left out, made 2022-02-27T09:00:00Z to 2022-02-27T09:30:00Z',
      notedAt: '2022-02-27T10:00:01.000Z',
    } as const;
    const noted = await buildSampleLog({ historyGap: gap });
    const anchors = {
      logKey: noted.logKey,
      timestampVerifier: noted.timestampVerifier,
      witnessKeys: [noted.witnessKey],
    };
    const report = await verifyEvidenceBundle(serializeEvidenceBundle(noted.bundle), anchors);
    expect(report.ok).toBe(true);
    expect(report.notes).toEqual([
      "The archive's own note (unsigned, not in the log, not verified): only part of the platform's edit " +
        'history was kept with version 1: edits made before it were left out of the archive ("9 of 59 missed ' +
        'edits left out, made 2022-02-27T09:00:00Z to 2022-02-27T09:30:00Z", noted 2022-02-27T10:00:01.000Z).',
    ]);
    // the note changes no check and nothing proven: the same bundle without it reads the same
    const { historyGap: _note, ...without } = noted.bundle;
    const plain = await verifyEvidenceBundle(without, anchors);
    expect(plain.notes).toEqual([]);
    expect(report.checks).toEqual(plain.checks);
    expect(report.proven).toEqual(plain.proven);
    expect(report.notProven).toEqual(plain.notProven);
    expect([...report.proven, ...report.checks.map((c) => c.detail)].join('\n')).not.toMatch(/edit history/);

    // nothing covers it: whoever holds the bundle can rewrite it, and it still verifies, saying what it now says
    const rewritten = tampered(noted.bundle, (b) => {
      b.historyGap = { ...b.historyGap!, kind: 'not-read', detail: 'rewritten\u001b[2J' };
    });
    const again = await verifyEvidenceBundle(rewritten, anchors);
    expect(again.ok).toBe(true);
    expect(again.notes[0]).toContain(
      'the platform\'s edit history was not read with version 1, so edits made before it may be missing from the archive ("rewritten\\u001b[2J"',
    );
    // and a failed bundle still shows it, apart from the failure
    const failed = await verifyEvidenceBundle({ ...noted.bundle, treeSize: 6 }, anchors);
    expect(failed.ok).toBe(false);
    expect(failed.notes).toEqual(report.notes);
  });

  it('without TSA or witness anchors, passes but says the time is only the log claim', async () => {
    const report = await verifyEvidenceBundle(sample.bundle, { logKey: sample.logKey });
    expect(report.ok).toBe(true);
    expect(report.capturedNoLaterThan).toBeUndefined();
    expect(report.checks.find((c) => c.name === 'timestamps')).toMatchObject({ ok: true, skipped: true });
    expect(report.checks.find((c) => c.name === 'cosignatures')).toMatchObject({ ok: true, skipped: true });
    const text = report.notProven.join('\n');
    expect(text).toContain(
      "the time is only the log's own claim (capturedAt 2022-02-27T10:00:00.000Z in the leaf, vouched for by the log's signature)",
    );
    expect(text).toContain('1 RFC 3161 timestamp token(s) (tsa.example.com)');
    expect(text).toContain('split view');
  });

  it('passes unpinned against the bundle key, saying loudly the key is not pinned', async () => {
    const report = await verifyEvidenceBundle(sample.bundle);
    expect(report.ok).toBe(true);
    expect(report.keyPinned).toBe(false);
    expect(report.notProven[0]).toMatch(/^THE LOG KEY WAS NOT PINNED/);
    expect(report.checks.find((c) => c.name === 'checkpoint-signature')?.detail).toContain('NOT PINNED');
  });

  it('fails at the signature check with a wrong pinned key', async () => {
    const report = await verifyEvidenceBundle(sample.bundle, { logKey: sample.otherLogKey });
    expect(report.failedCheck).toBe('checkpoint-signature');
    expect(report.checks.at(-1)?.detail).toMatch(
      /carries no signature by archive\.example\.org\/statements\+/,
    );
  });

  it('fails unpinned when the bundle carries a key that did not sign', async () => {
    const report = await verifyEvidenceBundle(
      tampered(sample.bundle, (b) => (b.logKey = sample.otherLogKey)),
    );
    expect(report.failedCheck).toBe('checkpoint-signature');
  });

  it('refuses a witness key as the log key', async () => {
    const report = await verifyEvidenceBundle(sample.bundle, { logKey: sample.witnessKey });
    expect(report.failedCheck).toBe('checkpoint-signature');
    expect(report.checks.at(-1)?.detail).toContain('type 0x01');
  });

  it('fails at record-hash when one character of the record text changes', async () => {
    const bundle = tampered(sample.bundle, (b) => {
      const record = b.record as JsonObject;
      record.text = replaceOnce(record.text as string, 'ICJ', 'ICC');
    });
    await expectFailure(
      bundle,
      'record-hash',
      /SHA-256 of the RFC 8785 bytes of the record is [0-9a-f]{64}, but recordSha256 is/,
    );
  });

  it('fails at leaf-contents when record and recordSha256 are changed together', async () => {
    const bundle = tampered(sample.bundle, (b) => {
      const record = b.record as JsonObject;
      record.text = 'Something else.';
    });
    const { sha256Hex } = await import('./bundle');
    const { jcsBytes } = await import('./fields');
    bundle.recordSha256 = sha256Hex(jcsBytes(bundle.record, 'record'));
    await expectFailure(
      bundle,
      'leaf-contents',
      /the leaf names record [0-9a-f]{64}, the bundle's recordSha256 is/,
    );
  });

  it('fails at leaf-contents when the artifact list differs from the leaf', async () => {
    await expectFailure(
      tampered(sample.bundle, (b) => (b.artifacts = b.artifacts.slice(1))),
      'leaf-contents',
      /which the bundle does not list/,
    );
    await expectFailure(
      tampered(
        sample.bundle,
        (b) => (b.artifacts = b.artifacts.map((a, i) => (i === 0 ? { ...a, mediaType: 'image/jpeg' } : a))),
      ),
      'leaf-contents',
      /which the leaf does not name/,
    );
    await expectFailure(
      tampered(sample.bundle, (b) => (b.artifacts = [...b.artifacts, b.artifacts[0]])),
      'leaf-contents',
      /the leaf names 2 artifacts, the bundle lists 3/,
    );
  });

  it('accepts the artifacts in any order', async () => {
    const report = await verifyEvidenceBundle(
      tampered(sample.bundle, (b) => (b.artifacts = [...b.artifacts].reverse())),
      { logKey: sample.logKey },
    );
    expect(report.ok).toBe(true);
  });

  it('fails at artifact-bodies when a body byte flips', async () => {
    for (const index of [0, 1]) {
      const bundle = tampered(sample.bundle, (b) => {
        b.artifacts = b.artifacts.map((a, i) =>
          i === index ? { ...a, body: flipBase64Byte(a.body as string, 3) } : a,
        );
      });
      await expectFailure(bundle, 'artifact-bodies', /hashes to [0-9a-f]{64}/);
    }
  });

  it('fails at artifact-bodies when a body is truncated', async () => {
    const bundle = tampered(sample.bundle, (b) => {
      b.artifacts = b.artifacts.map((a) => ({
        ...a,
        body: toBase64(fromBase64(a.body as string).subarray(1)),
      }));
    });
    await expectFailure(bundle, 'artifact-bodies', /bytes$/);
  });

  it('fails at leaf-contents when a leaf byte flips into invalid JSON', async () => {
    await expectFailure(
      tampered(sample.bundle, (b) => (b.leaf = flipBase64Byte(b.leaf, 0))),
      'leaf-contents',
      /the leaf is not a valid log entry/,
    );
  });

  it('fails at inclusion-proof when a leaf byte flips into another valid entry', async () => {
    const bundle = tampered(sample.bundle, (b) => {
      const text = Buffer.from(b.leaf, 'base64').toString('utf8');
      b.leaf = Buffer.from(replaceOnce(text, '10:00:00.000Z', '10:00:01.000Z'), 'utf8').toString('base64');
    });
    await expectFailure(bundle, 'inclusion-proof', /gives root [0-9a-f]{64}, expected/);
  });

  it('fails at inclusion-proof when a proof hash flips', async () => {
    for (const index of [0, 1, 2]) {
      const bundle = tampered(sample.bundle, (b) => {
        b.inclusionProof = b.inclusionProof.map((h, i) => (i === index ? flipBase64Byte(h, 31) : h));
      });
      await expectFailure(bundle, 'inclusion-proof');
    }
  });

  it('fails at inclusion-proof for a wrong leaf index, or a proof with a hash missing', async () => {
    await expectFailure(
      tampered(sample.bundle, (b) => (b.leafIndex = 3)),
      'inclusion-proof',
    );
    await expectFailure(
      tampered(sample.bundle, (b) => (b.leafIndex = 5)),
      'inclusion-proof',
      /beyond the tree size/,
    );
    await expectFailure(
      tampered(sample.bundle, (b) => (b.inclusionProof = b.inclusionProof.slice(0, -1))),
      'inclusion-proof',
      /too few hashes/,
    );
  });

  it('fails at inclusion-proof when treeSize disagrees with the checkpoint', async () => {
    await expectFailure(
      tampered(sample.bundle, (b) => (b.treeSize = 6)),
      'inclusion-proof',
      /treeSize is 6, but the checkpoint is for a tree of size 5/,
    );
  });

  it('fails at checkpoint-signature when the checkpoint text or its signature changes', async () => {
    const note = sample.bundle.checkpoint;
    const [origin, size, root] = note.split('\n');
    const changedRoot = flipBase64Byte(root, 0);
    const sigLine = note
      .split('\n')
      .find((line) => line.startsWith('\u2014 archive.example.org/statements '));
    const sig = (sigLine as string).split(' ')[2];
    for (const changed of [
      replaceOnce(note, `${origin}\n${size}\n`, `${origin}\n6\n`),
      replaceOnce(note, root, changedRoot),
      replaceOnce(note, sig, flipBase64Byte(sig, 40)),
    ]) {
      await expectFailure(
        tampered(sample.bundle, (b) => (b.checkpoint = changed)),
        'checkpoint-signature',
        /checkpoint signature by archive\.example\.org\/statements\+[0-9a-f]{8} does not verify/,
      );
    }
    await expectFailure(
      tampered(sample.bundle, (b) => (b.checkpoint = note.replace('\n\n', '\n'))),
      'checkpoint-signature',
      /not a valid signed note/,
    );
  });

  it('fails at checkpoint-signature when the bundle names another origin', async () => {
    await expectFailure(
      tampered(sample.bundle, (b) => (b.origin = 'elsewhere.example/log')),
      'checkpoint-signature',
      /origin is archive\.example\.org\/statements, the bundle's is elsewhere\.example\/log/,
    );
  });

  it('fails at timestamps when a token does not cover the checkpoint text', async () => {
    const bundle = tampered(sample.bundle, (b) => {
      b.timestamps = [
        { tsa: 'tsa.example.com', token: toBase64(fakeToken(sha256(utf8('other\n')), TSA_TIME)) },
      ];
    });
    const report = await verifyEvidenceBundle(bundle, {
      logKey: sample.logKey,
      timestampVerifier: sample.timestampVerifier,
    });
    expect(report.failedCheck).toBe('timestamps');
    expect(report.checks.at(-1)?.detail).toBe(
      'the timestamp token from tsa.example.com does not verify: message imprint does not match',
    );
  });

  it('fails at cosignatures for an unknown witness or an altered cosignature', async () => {
    const other = await buildSampleLog();
    const missing = await verifyEvidenceBundle(sample.bundle, {
      logKey: sample.logKey,
      witnessKeys: [other.witnessKey],
    });
    expect(missing.failedCheck).toBe('cosignatures');
    expect(missing.checks.at(-1)?.detail).toMatch(
      /carries no cosignature by witness witness\.example\.net\+/,
    );

    const note = sample.bundle.checkpoint;
    const cosigLine = note
      .split('\n')
      .find((line) => line.startsWith('\u2014 witness.example.net ')) as string;
    const cosig = cosigLine.split(' ')[2];
    const bundle = tampered(
      sample.bundle,
      (b) => (b.checkpoint = replaceOnce(note, cosig, flipBase64Byte(cosig, 20))),
    );
    // The log's own signature still verifies: only the witness check catches it.
    const altered = await verifyEvidenceBundle(bundle, {
      logKey: sample.logKey,
      witnessKeys: [sample.witnessKey],
    });
    expect(altered.failedCheck).toBe('cosignatures');
    expect(altered.checks.at(-1)?.detail).toMatch(/cosignature by witness .* does not verify/);
  });

  it('fails at checkpoint-signature when the checkpoint is for another origin than its key is named for', async () => {
    const fork = await buildSampleLog({ origin: 'shadow.example/fork' });
    const report = await verifyEvidenceBundle(fork.bundle, { logKey: fork.logKey });
    expect(report.failedCheck).toBe('checkpoint-signature');
    expect(report.checks.at(-1)?.detail).toBe(
      'the checkpoint is for origin shadow.example/fork, but the key that signed it is the log key of archive.example.org/statements',
    );
  });

  it("refuses the log's own key as a witness, whatever its type, and counts a witness given twice once", async () => {
    for (const [key, why] of [
      [
        sample.logKey,
        /is not a witness key: a witness cosigns with type 0x04 \(cosignature\/v1\), this key is type 0x01/,
      ],
      [sample.logKeyAsWitness, /is the log's own key: a witness must be another party/],
    ] as const) {
      const report = await verifyEvidenceBundle(sample.bundle, { logKey: sample.logKey, witnessKeys: [key] });
      expect(report.failedCheck).toBe('cosignatures');
      expect(report.checks.at(-1)?.detail).toMatch(why);
    }
    const twice = await verifyEvidenceBundle(sample.bundle, {
      logKey: sample.logKey,
      witnessKeys: [sample.witnessKey, ` ${sample.witnessKey}`],
    });
    expect(twice.ok).toBe(true);
    expect(twice.checks.at(-1)?.detail).toMatch(/^1 witness cosignature\(s\) verify/);
    expect(twice.proven.filter((line) => line.startsWith('Witness '))).toHaveLength(1);
  });

  it('says so first when an attested time is earlier than the capture time the log claims', async () => {
    const note = sample.bundle.checkpoint;
    const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
    const early = new Date('2022-02-27T09:00:00.000Z');
    const bundle = tampered(sample.bundle, (b) => {
      b.timestamps = [{ tsa: 'tsa.example.com', token: toBase64(fakeToken(sha256(utf8(text)), early)) }];
    });
    const report = await verifyEvidenceBundle(bundle, {
      logKey: sample.logKey,
      timestampVerifier: sample.timestampVerifier,
    });
    expect(report.ok).toBe(true);
    expect(report.capturedNoLaterThan).toEqual(early);
    expect(report.notProven[0]).toBe(
      "The log's capture time: the leaf says capturedAt 2022-02-27T10:00:00.000Z, but the RFC 3161 token from " +
        'tsa.example.com (signed by CN=Test TSA) attests the checkpoint holding it existed at 2022-02-27T09:00:00.000Z, ' +
        "earlier. The log's clock or its claim is wrong; only the attested time holds.",
    );
    const honest = await verifyEvidenceBundle(sample.bundle, {
      logKey: sample.logKey,
      timestampVerifier: sample.timestampVerifier,
    });
    expect(honest.notProven.join('\n')).not.toContain("The log's capture time");
  });

  it('fails at bundle-format naming the field', async () => {
    await expectFailure(
      { ...sample.bundle, format: 'verbatim-evidence/v2' },
      'bundle-format',
      /format: unsupported format "verbatim-evidence\/v2"/,
    );
    await expectFailure(
      tampered(sample.bundle, (b) => delete (b as Record<string, unknown>).leafIndex),
      'bundle-format',
      /^leafIndex: expected an integer >= 0, got nothing \(missing\)$/,
    );
    await expectFailure(
      { ...sample.bundle, treeSize: '5' },
      'bundle-format',
      /^treeSize: expected an integer >= 1, got a string$/,
    );
    await expectFailure({ ...sample.bundle, extra: true }, 'bundle-format', /^extra: unknown field$/);
    await expectFailure(
      '{"format":"verbatim-evidence/v1","format":"x"}',
      'bundle-format',
      /repeats the key "format"/,
    );
    await expectFailure('not json', 'bundle-format', /not valid JSON/);
  });

  it('reports withheld bodies and a withheld record as not proven', async () => {
    const withheld = await buildSampleLog({ withBodies: false });
    const bundle = tampered(withheld.bundle, (b) => (b.record = null));
    const report = await verifyEvidenceBundle(bundle, { logKey: withheld.logKey });
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.name === 'record-hash')).toMatchObject({ ok: true, skipped: true });
    expect(report.checks.find((c) => c.name === 'artifact-bodies')?.detail).toBe(
      '0 of 2 artifact bodies included, each matching its size and SHA-256; 2 withheld (digest only)',
    );
    const text = report.notProven.join('\n');
    expect(text).toContain('The content of the record: it is withheld');
    expect(text).toContain('The content of 2 artifact(s) not included in this bundle (media, response)');
  });
});
