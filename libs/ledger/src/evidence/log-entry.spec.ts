import { fromUtf8, utf8 } from '../bytes';
import { LedgerFormatError } from '../errors';
import { type LogEntryFields, buildLogEntry, parseLogEntry } from './log-entry';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

const FIELDS: LogEntryFields = {
  type: 'snapshot',
  statementId: 'st_1',
  version: 2,
  recordSha256: A,
  artifacts: [
    { role: 'response', mediaType: 'application/json', size: 10, sha256: B },
    { role: 'media', mediaType: 'image/png', size: 3, sha256: A },
  ],
  capturedAt: '2022-02-27T10:00:00.000Z',
  origin: 'archive.example.org/statements',
};

// Written out by hand: keys in code-unit order, artifacts in canonical order (media < response), no spaces.
const EXPECTED =
  `{"artifacts":[{"mediaType":"image/png","role":"media","sha256":"${A}","size":3},` +
  `{"mediaType":"application/json","role":"response","sha256":"${B}","size":10}],` +
  `"capturedAt":"2022-02-27T10:00:00.000Z","origin":"archive.example.org/statements",` +
  `"recordSha256":"${A}","statementId":"st_1","type":"snapshot","v":1,"version":2}`;

describe('log entry', () => {
  it('builds the exact JCS bytes, artifacts in canonical order', () => {
    expect(fromUtf8(buildLogEntry(FIELDS))).toBe(EXPECTED);
  });

  it('parses what it builds back to the same fields', () => {
    const entry = parseLogEntry(buildLogEntry(FIELDS));
    expect(entry).toEqual({ ...FIELDS, v: 1, artifacts: [FIELDS.artifacts[1], FIELDS.artifacts[0]] });
  });

  it('omits absent optional fields (an observation without a record)', () => {
    const bytes = buildLogEntry({
      ...FIELDS,
      type: 'observation',
      version: undefined,
      recordSha256: undefined,
      status: 'deleted',
      artifacts: [],
    });
    expect(fromUtf8(bytes)).toBe(
      '{"artifacts":[],"capturedAt":"2022-02-27T10:00:00.000Z","origin":"archive.example.org/statements","statementId":"st_1","status":"deleted","type":"observation","v":1}',
    );
    expect(parseLogEntry(bytes)).not.toHaveProperty('version');
  });

  it('builds a media entry naming its version and file, and refuses one without them', () => {
    const file = { role: 'media', mediaType: 'video/mp4', size: 1234, sha256: 'ab'.repeat(32) };
    const media = { ...FIELDS, type: 'media' as const, artifacts: [file] };
    expect(parseLogEntry(buildLogEntry(media))).toMatchObject({
      type: 'media',
      version: FIELDS.version,
      recordSha256: FIELDS.recordSha256,
      artifacts: [file],
    });
    expect(() => buildLogEntry({ ...media, version: undefined })).toThrow(/version: missing/);
    expect(() => buildLogEntry({ ...media, recordSha256: undefined })).toThrow(/recordSha256: missing/);
    expect(() => buildLogEntry({ ...media, artifacts: [] })).toThrow(/artifacts: empty/);
    expect(() => buildLogEntry({ ...media, status: 'deleted' })).toThrow(
      /status: not allowed in a media entry/,
    );
  });

  it('requires the observed status in an observation, and allows it nowhere else', () => {
    const observation = {
      ...FIELDS,
      type: 'observation' as const,
      version: undefined,
      recordSha256: undefined,
    };
    expect(() => buildLogEntry(observation)).toThrow(/status: missing/);
    expect(() => buildLogEntry({ ...observation, status: 'Deleted!' })).toThrow(
      /status: expected a lowercase word/,
    );
    expect(() => buildLogEntry({ ...FIELDS, status: 'deleted' })).toThrow(
      /status: not allowed in a snapshot/,
    );
    expect(() => buildLogEntry({ ...FIELDS, reason: 'private' })).toThrow(
      /reason: not allowed in a snapshot/,
    );
    const entry = parseLogEntry(
      buildLogEntry({ ...observation, status: 'unavailable', reason: 'account-suspended' }),
    );
    expect(entry).toMatchObject({ type: 'observation', status: 'unavailable', reason: 'account-suspended' });
  });

  it('requires a claim hash and no version in a quotation', () => {
    const quotation = { ...FIELDS, type: 'quotation' as const, version: undefined };
    expect(parseLogEntry(buildLogEntry(quotation))).toMatchObject({
      type: 'quotation',
      recordSha256: FIELDS.recordSha256,
    });
    expect(parseLogEntry(buildLogEntry(quotation))).not.toHaveProperty('version');
    expect(() => buildLogEntry({ ...quotation, version: 1 })).toThrow(/version: not allowed in a quotation/);
    expect(() => buildLogEntry({ ...quotation, recordSha256: undefined })).toThrow(/recordSha256: missing/);
  });

  it.each([
    ['whitespace', EXPECTED.replace('"v":1', '"v": 1')],
    ['keys out of order', EXPECTED.replace('"type":"snapshot","v":1', '"v":1,"type":"snapshot"')],
    ['a duplicate key', EXPECTED.replace('"v":1', '"v":1,"v":1')],
    ['an escaped character JCS would not escape', EXPECTED.replace('st_1', 'st\\u005f1')],
    ['an unknown field', EXPECTED.replace('"v":1', '"v":1,"w":1')],
    ['version 2', EXPECTED.replace('"v":1', '"v":2')],
    ['an unknown type', EXPECTED.replace('"snapshot"', '"edit"')],
    ['artifacts out of order', EXPECTED.replace(/\[(\{.*?\}),(\{.*?\})\]/, '[$2,$1]')],
    ['an upper-case hash', EXPECTED.replace(`"recordSha256":"${A}"`, `"recordSha256":"${A.toUpperCase()}"`)],
    ['a local time', EXPECTED.replace('10:00:00.000Z', '10:00:00.000+01:00')],
    ['an impossible date', EXPECTED.replace('2022-02-27', '2022-02-30')],
    ['a null optional field', EXPECTED.replace('"version":2', '"version":null')],
    ['a zero version', EXPECTED.replace('"version":2', '"version":0')],
    ['a fractional size', EXPECTED.replace('"size":3', '"size":3.5')],
    ['a negative size', EXPECTED.replace('"size":3', '"size":-3')],
    ['an empty statement id', EXPECTED.replace('"st_1"', '""')],
    ['not an object', '[]'],
    ['not JSON', '{'],
  ])('rejects %s', (_what, text) => {
    expect(() => parseLogEntry(utf8(text))).toThrow(LedgerFormatError);
  });

  it('rejects bytes that are not UTF-8', () => {
    expect(() => parseLogEntry(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow('not valid UTF-8');
  });

  it('names the bad field when building', () => {
    expect(() => buildLogEntry({ ...FIELDS, recordSha256: 'abc' })).toThrow(
      'recordSha256: expected 64 lowercase hex digits',
    );
    expect(() => buildLogEntry({ ...FIELDS, artifacts: [{ ...FIELDS.artifacts[0], size: -1 }] })).toThrow(
      'artifacts[0].size',
    );
    expect(() => buildLogEntry({ ...FIELDS, origin: 'a\nb' })).toThrow(
      'origin: contains a control character',
    );
    expect(() => buildLogEntry({ ...FIELDS, extra: 1 } as LogEntryFields)).toThrow('extra: unknown field');
  });
});
