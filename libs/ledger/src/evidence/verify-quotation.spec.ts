import { toHex, utf8 } from '../bytes';
import { sha256 } from '../crypto';
import { type JsonObject, jcsBytes } from './fields';
import { buildLogEntry } from './log-entry';
import { oneEntryBundle } from './sample-bundle.fixture';
import { verifyEvidenceBundle } from './verify-bundle';

const ORIGIN = 'archive.example.org/statements';
const ARTICLE = utf8('<html><body><blockquote class="bluesky-embed">…</blockquote></body></html>');

/** A one-entry log holding a quotation of `record`, and its bundle. */
async function quotationBundle(record: JsonObject) {
  const leaf = buildLogEntry({
    type: 'quotation',
    statementId: 'qs_1',
    recordSha256: toHex(sha256(jcsBytes(record, 'record'))),
    artifacts: [
      {
        role: 'source-document',
        mediaType: 'text/html; charset=utf-8',
        size: ARTICLE.length,
        sha256: toHex(sha256(ARTICLE)),
      },
    ],
    capturedAt: '2024-03-01T10:00:00.000Z',
    origin: ORIGIN,
  });
  return oneEntryBundle(ORIGIN, leaf, {
    record,
    artifactBodies: new Map([[toHex(sha256(ARTICLE)), ARTICLE]]),
  });
}

const CLAIM = {
  kind: 'quotation',
  platform: 'bluesky',
  handle: 'mfa.gov.example',
  name: 'Ministry',
  date: '2024-03-01',
  text: 'Statement on the grain corridor.',
  foundIn: 'embed',
  postId: '3laz2ymsihk2v',
  postUrl: 'https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur/post/3laz2ymsihk2v',
  sourceUrl: 'https://news.example/a',
  documentSha256: toHex(sha256(ARTICLE)),
};

describe('verifying a quotation bundle', () => {
  it('says what the document claimed, and that the account writing it is not proven', async () => {
    const { bundle, logKey } = await quotationBundle(CLAIM);
    const report = await verifyEvidenceBundle(bundle, { logKey });
    expect(report.ok).toBe(true);
    expect(report.proven.join('\n')).toContain(
      'The document, published at https://news.example/a (as whoever gave it said), claims that @mfa.gov.example on bluesky wrote on 2024-03-01: "Statement on the grain corridor."',
    );
    expect(report.proven.join('\n')).toContain(
      'The log claims the document was read at 2024-03-01T10:00:00.000Z.',
    );
    expect(report.notProven.join('\n')).toContain('That the quoted account wrote this');
    expect(report.notProven.join('\n')).not.toContain('That the platform actually served these bytes');
  });

  it('describes a link-only quote as naming the post without its words', async () => {
    const { bundle, logKey } = await quotationBundle({
      ...CLAIM,
      text: null,
      foundIn: 'link',
      name: null,
      date: null,
    });
    const report = await verifyEvidenceBundle(bundle, { logKey });
    expect(report.ok).toBe(true);
    expect(report.proven.join('\n')).toContain(
      `names the post ${CLAIM.postUrl} by @mfa.gov.example on bluesky and prints none of its words (a link-only quote)`,
    );
  });

  it('fails on a claim changed after it was logged', async () => {
    const { bundle, logKey } = await quotationBundle(CLAIM);
    const report = await verifyEvidenceBundle(
      { ...bundle, record: { ...CLAIM, text: 'Forged.' } },
      { logKey },
    );
    expect(report).toMatchObject({ ok: false, failedCheck: 'record-hash' });
  });
});
