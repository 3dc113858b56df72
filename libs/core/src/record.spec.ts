import {
  buildRecord,
  canonicalRecord,
  contentSha256,
  recordSha256,
  toUtcTimestamp,
  withoutNulCharacters,
  type StatementContent,
} from './record';
import { canonicalBytes } from './jcs';
import { sha256Hex } from './hash';

const content: StatementContent = {
  platform: 'mastodon',
  account: 'DmytroKuleba@mastodon.example',
  postId: '107869031033208832',
  url: 'https://mastodon.example/@DmytroKuleba/107869031033208832',
  authoredAt: '2022-02-27T08:33:10.912Z',
  editedAt: null,
  title: null,
  text: 'Together we defeated Hitler, and we will defeat Putin, too.',
  html: '<p>Together we defeated Hitler, and we will defeat Putin, too.</p>',
  language: 'en',
  media: [],
  isReply: false,
  isRepost: false,
  isQuote: false,
  parserVersion: 'mastodon/1',
};

describe('statement records', () => {
  it('hashes the RFC 8785 bytes of the record', () => {
    const record = buildRecord(content, [{ role: 'response', sha256: 'ab'.repeat(32) }]);
    expect(recordSha256(record)).toBe(sha256Hex(canonicalBytes(record)));
    expect(
      canonicalBytes(record)
        .toString()
        .startsWith('{"account":"DmytroKuleba@mastodon.example","artifacts":['),
    ).toBe(true);
  });

  it('gives the record to store as the very text it hashed, in one serialisation', () => {
    // non-ASCII text: the hash is over UTF-8, whether it starts from bytes or from text
    const record = buildRecord({ ...content, text: 'Разом ми перемогли Гітлера — and “Putin” too' }, []);
    const { json, sha256 } = canonicalRecord(record);
    // RFC 8785: keys in order, no whitespace, non-ASCII as itself
    expect(json.startsWith('{"account":"DmytroKuleba@mastodon.example","artifacts":[],"authoredAt":')).toBe(
      true,
    );
    expect(json).toContain('"text":"Разом ми перемогли Гітлера — and “Putin” too"');
    expect(sha256).toBe(sha256Hex(Buffer.from(json, 'utf8')));
    expect(sha256).toBe(recordSha256(record));
    expect(JSON.parse(json)).toEqual(record);
  });

  it('keeps the content hash when only the bytes it arrived in differ, and changes it when the content does', () => {
    const a = buildRecord(content, [{ role: 'response', sha256: 'aa'.repeat(32) }]);
    const b = buildRecord(content, [{ role: 'response', sha256: 'bb'.repeat(32) }]);
    expect(recordSha256(a)).not.toBe(recordSha256(b));
    expect(contentSha256(content)).toBe(contentSha256({ ...content }));
    expect(contentSha256({ ...content, text: `${content.text} ` })).not.toBe(contentSha256(content));
    expect(contentSha256({ ...content, editedAt: '2022-02-27T09:00:00.000Z' })).not.toBe(
      contentSha256(content),
    );
  });

  it('orders artifact digests so the same set always hashes the same', () => {
    const digests = [
      { role: 'response' as const, sha256: 'bb'.repeat(32) },
      { role: 'media' as const, sha256: 'cc'.repeat(32) },
      { role: 'response' as const, sha256: 'aa'.repeat(32) },
    ];
    expect(recordSha256(buildRecord(content, digests))).toBe(
      recordSha256(buildRecord(content, [...digests].reverse())),
    );
  });

  it('writes times as RFC 3339 UTC and refuses what is not a date', () => {
    expect(toUtcTimestamp('Sun, 27 Feb 2022 10:33:10 +0200')).toBe('2022-02-27T08:33:10.000Z');
    expect(toUtcTimestamp('2022-02-27T08:33:10.912Z')).toBe('2022-02-27T08:33:10.912Z');
    expect(toUtcTimestamp('yesterday')).toBeNull();
    expect(toUtcTimestamp(null)).toBeNull();
  });
});

describe('withoutNulCharacters', () => {
  it('replaces U+0000 everywhere in a record and leaves everything else alone', () => {
    const dirty = {
      ...content,
      text: 'a\u0000b',
      media: [{ kind: 'image', url: 'u', mediaType: null, description: '\u0000' }],
    };
    const clean = withoutNulCharacters(dirty);
    expect(clean.text).toBe('a\uFFFDb');
    expect(clean.media[0].description).toBe('\uFFFD');
    expect(clean.isReply).toBe(false);
    expect(withoutNulCharacters(content)).toEqual(content);
  });
});
