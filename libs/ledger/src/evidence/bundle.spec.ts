import { utf8 } from '../bytes';
import { LedgerFormatError, NoteVerificationError, ProofVerificationError } from '../errors';
import { EVIDENCE_FORMAT, buildEvidenceBundle, parseEvidenceBundle, serializeEvidenceBundle } from './bundle';
import { HISTORY_GAP_ABOUT } from './history-gap';
import { MEDIA_BODY, SAMPLE_ORIGIN, SAMPLE_RECORD, buildSampleLog } from './sample-bundle.fixture';

describe('evidence bundle', () => {
  it('has exactly the public top-level keys, derived from the log parts', async () => {
    const { bundle, logKey, witnessKey } = await buildSampleLog();
    expect(Object.keys(bundle)).toEqual([
      'format',
      'origin',
      'leaf',
      'leafIndex',
      'treeSize',
      'inclusionProof',
      'checkpoint',
      'logKey',
      'record',
      'recordSha256',
      'artifacts',
      'timestamps',
      'witnesses',
    ]);
    expect(bundle).toMatchObject({
      format: EVIDENCE_FORMAT,
      origin: SAMPLE_ORIGIN,
      leafIndex: 2,
      treeSize: 5,
      logKey,
      record: SAMPLE_RECORD,
      witnesses: [witnessKey],
    });
    expect(bundle.inclusionProof).toHaveLength(3);
    expect(bundle.artifacts.map((a) => [a.role, a.size])).toEqual([
      ['media', MEDIA_BODY.length],
      ['response', expect.any(Number)],
    ]);
  });

  it('round-trips through its JSON text', async () => {
    const { bundle } = await buildSampleLog();
    expect(parseEvidenceBundle(serializeEvidenceBundle(bundle))).toEqual(bundle);
  });

  const GAP = {
    kind: 'not-read',
    detail: 'mastodon.example answered 500 Internal Server Error',
    notedAt: '2022-02-27T10:00:01.000Z',
  } as const;

  it("carries the archive's history-gap note last, after everything signed, saying what it is not", async () => {
    const { bundle } = await buildSampleLog({ historyGap: GAP });
    expect(Object.keys(bundle).slice(-2)).toEqual(['witnesses', 'historyGap']);
    expect(bundle.historyGap).toEqual({ ...GAP, about: HISTORY_GAP_ABOUT });
    expect(bundle.historyGap?.about).toMatch(
      /^The archive's own note, outside the signed record: it is not in the transparency log/,
    );
    expect(parseEvidenceBundle(serializeEvidenceBundle(bundle))).toEqual(bundle);
    // bundles without the note keep their shape
    expect(Object.keys(await buildSampleLog().then((s) => s.bundle))).not.toContain('historyGap');
  });

  it.each([
    ['kind', { kind: 'lost' }, 'historyGap.kind: expected one of not-read, cut-short, got "lost"'],
    ['notedAt', { notedAt: '27 Feb 2022' }, 'historyGap.notedAt: expected an RFC 3339 UTC time'],
    ['detail', { detail: 3 }, 'historyGap.detail: expected a string, got number 3'],
    ['extra field', { signed: true }, 'historyGap.signed: unknown field'],
    ['missing about', { about: undefined }, 'historyGap.about: expected a string, got nothing (missing)'],
  ])('names a bad history-gap %s', async (_what, change, message) => {
    const { bundle } = await buildSampleLog({ historyGap: GAP });
    const historyGap: Record<string, unknown> = { ...bundle.historyGap, ...change };
    for (const [key, value] of Object.entries(change)) if (value === undefined) delete historyGap[key];
    expect(() => parseEvidenceBundle({ ...bundle, historyGap })).toThrow(LedgerFormatError);
    expect(() => parseEvidenceBundle({ ...bundle, historyGap })).toThrow(message);
  });

  it.each([
    ['record', { record: undefined }, 'record: missing (use null when the record is withheld)'],
    ['record as a string', { record: 'x' }, 'record: expected an object, got a string'],
    ['recordSha256', { recordSha256: 'ABC' }, 'recordSha256: expected 64 lowercase hex digits'],
    ['leaf', { leaf: 'not base64!' }, 'leaf: expected standard padded base64'],
    ['a short proof hash', { inclusionProof: ['AAAA'] }, 'inclusionProof[0]: is 3 bytes, expected 32'],
    [
      'a proof hash of the wrong type',
      { inclusionProof: [1] },
      'inclusionProof[0]: expected a base64 string',
    ],
    [
      'an artifact size',
      { artifacts: [{ role: 'r', mediaType: 'm', size: '1', sha256: 'a'.repeat(64) }] },
      'artifacts[0].size',
    ],
    [
      'an artifact field',
      { artifacts: [{ role: 'r', mediaType: 'm', size: 1, sha256: 'a'.repeat(64), url: 'x' }] },
      'artifacts[0].url: unknown field',
    ],
    ['a timestamp token', { timestamps: [{ tsa: 't', token: '' }] }, 'timestamps[0].token: is empty'],
    [
      'the timestamps list',
      { timestamps: undefined },
      'timestamps: expected an array, got nothing (missing)',
    ],
    ['a witness', { witnesses: [''] }, 'witnesses[0]: expected a key string'],
    ['a non-JSON record value', { record: { n: Number.NaN } }, 'record.n: is not a finite number'],
  ])('names a bad %s', async (_what, change, message) => {
    const { bundle } = await buildSampleLog();
    const copy: Record<string, unknown> = { ...bundle, ...change };
    for (const key of Object.keys(change))
      if ((change as Record<string, unknown>)[key] === undefined) delete copy[key];
    expect(() => parseEvidenceBundle(copy)).toThrow(LedgerFormatError);
    expect(() => parseEvidenceBundle(copy)).toThrow(message);
  });

  it('refuses to build a bundle that could not verify', async () => {
    const sample = await buildSampleLog();
    const leaf = utf8(Buffer.from(sample.bundle.leaf, 'base64').toString('utf8'));
    const checkpoint = sample.bundle.checkpoint;
    const proof = sample.bundle.inclusionProof.map((h) => new Uint8Array(Buffer.from(h, 'base64')));
    const base = {
      leaf,
      leafIndex: 2,
      inclusionProof: proof,
      checkpoint,
      logKey: sample.logKey,
      record: SAMPLE_RECORD,
    };
    expect(() => buildEvidenceBundle(base)).not.toThrow();
    expect(() =>
      buildEvidenceBundle({ ...base, historyGap: { kind: 'not-read', detail: 'x', notedAt: 'yesterday' } }),
    ).toThrow('historyGap.notedAt');
    expect(() => buildEvidenceBundle({ ...base, record: { ...SAMPLE_RECORD, text: 'x' } })).toThrow(
      'the record hashes to',
    );
    expect(() => buildEvidenceBundle({ ...base, leafIndex: 1 })).toThrow(ProofVerificationError);
    expect(() => buildEvidenceBundle({ ...base, logKey: sample.otherLogKey })).toThrow(NoteVerificationError);
    const media = sample.bundle.artifacts.find((a) => a.role === 'media');
    expect(() =>
      buildEvidenceBundle({
        ...base,
        artifactBodies: new Map([[media?.sha256 as string, new Uint8Array([1])]]),
      }),
    ).toThrow('does not match');
  });
});
