import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { WARCParser } from 'warcio';
import { type CaptureArtifactLink, type WarcCapture } from '@app/persistence';
import { WarcRecordWriter, sentChunked, warcinfoRecord } from './warc-records';

const hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const HEAD = Buffer.from(
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Caf\xe9: 1\r\n\r\n',
  'latin1',
);
const BODY = Buffer.from('[{"id":"1"}]');
const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00]);
const bytes = new Map([HEAD, BODY, PHOTO].map((b) => [hex(b), b]));

function link(role: string, body: Buffer, mediaType: string, url: string | null): CaptureArtifactLink {
  return { role, sha256: hex(body), mediaType, size: body.length, url };
}

function capture(version: number, url: string | null, extra: CaptureArtifactLink[] = []): WarcCapture {
  return {
    statementId: '7b0d5e0e-0000-4000-8000-000000000001',
    statementUrl: 'https://m.example/@mfa/1',
    version,
    capturedAt: new Date(`2026-03-0${version}T10:00:00.123Z`),
    recordSha256: 'ab'.repeat(32),
    evidenceLevel: 'captured',
    source: 'capture',
    leafIndex: version === 1 ? 7 : null,
    historyGap: null,
    artifacts: [
      link('response', BODY, 'application/json', url),
      link('response-head', HEAD, 'message/http', url),
      ...extra,
    ],
  };
}

async function records(chunks: Uint8Array[]) {
  const out: {
    type: string;
    headers: Record<string, string>;
    fields: [string, string][];
    block: Buffer;
  }[] = [];
  for await (const record of new WARCParser(Readable.from(chunks.map((c) => Buffer.from(c))), {
    parseHttp: false,
    keepHeadersCase: true,
  })) {
    // the head's fields in order, a repeated one as often as it is written
    const fields = [...(record.warcHeaders.headers as Map<string, string>)];
    const headers = Object.fromEntries(fields);
    out.push({
      type: record.warcType as string,
      headers,
      fields,
      block: Buffer.from(await record.readFully()),
    });
  }
  return out;
}

async function written(writer: WarcRecordWriter, ...captures: WarcCapture[]): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for (const c of captures) for await (const record of writer.captureRecords(c, bytes)) chunks.push(record);
  return chunks;
}

describe('WARC records of a capture', () => {
  it('writes the kept head and body as one response block, its request, and the metadata', async () => {
    const url = 'https://m.example/api/v1/accounts/1/statuses?limit=40';
    const read = await records(await written(new WarcRecordWriter(), capture(1, url)));
    expect(read.map((r) => r.type)).toEqual(['response', 'request', 'metadata']);
    const [response, request, metadata] = read;
    expect(response.block.equals(Buffer.concat([HEAD, BODY]))).toBe(true);
    expect(response.headers).toMatchObject({
      'WARC-Target-URI': url,
      'WARC-Date': '2026-03-01T10:00:00.123Z',
      'Content-Type': 'application/http; msgtype=response',
      'WARC-Payload-Digest': `sha256:${hex(BODY)}`,
      'WARC-Block-Digest': `sha256:${hex(response.block)}`,
    });
    expect(request.block.toString('latin1')).toBe(
      'GET /api/v1/accounts/1/statuses?limit=40 HTTP/1.1\r\nHost: m.example\r\n\r\n',
    );
    expect(request.headers['WARC-Concurrent-To']).toBe(response.headers['WARC-Record-ID']);
    expect(metadata.headers).toMatchObject({
      'WARC-Type': 'metadata',
      'WARC-Target-URI': 'https://m.example/@mfa/1',
      'Content-Type': 'application/warc-fields',
      'WARC-Concurrent-To': response.headers['WARC-Record-ID'],
      'WARC-Block-Digest': `sha256:${hex(metadata.block)}`,
    });
    // a record without an HTTP head has its block as payload
    expect(metadata.headers['WARC-Payload-Digest']).toBe(`sha256:${hex(metadata.block)}`);
    expect(metadata.block.toString('utf8')).toBe(
      [
        'statement-id: 7b0d5e0e-0000-4000-8000-000000000001',
        'statement-url: https://m.example/@mfa/1',
        'version: 1',
        'version-source: capture',
        `record-sha256: ${'ab'.repeat(32)}`,
        'log-leaf-index: 7',
        'evidence-level: captured',
        'captured-at: 2026-03-01T10:00:00.123Z',
        `artifact: response sha256:${hex(BODY)}`,
        `artifact: response-head sha256:${hex(HEAD)}`,
        `record: ${response.headers['WARC-Record-ID']}`,
        'request-records: rebuilt from the URL that answered: the request line and Host only',
        '',
      ].join('\r\n'),
    );
  });

  it('writes a response that served an earlier capture once, and names the earlier record', async () => {
    const url = 'https://m.example/api/v1/statuses/1';
    const read = await records(await written(new WarcRecordWriter(), capture(1, url), capture(2, url)));
    expect(read.map((r) => r.type)).toEqual(['response', 'request', 'metadata', 'metadata']);
    expect(read[3].block.toString('utf8')).toContain(`record: ${read[0].headers['WARC-Record-ID']}\r\n`);
    expect(read[3].block.toString('utf8')).toContain('log-leaf-index: pending\r\n');
    // captured with the first version, not the second: only the first's metadata is concurrent to it
    expect(read[2].headers['WARC-Concurrent-To']).toBe(read[0].headers['WARC-Record-ID']);
    expect(read[3].fields.map(([name]) => name)).not.toContain('WARC-Concurrent-To');
  });

  it("frames a body the server sent chunked as one chunk again, its payload digest the body's", async () => {
    const chunkedHead = Buffer.from(
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      'latin1',
    );
    const url = 'https://m.example/api/v1/statuses/1';
    const kept = new Map([...bytes, [hex(chunkedHead), chunkedHead]]);
    const chunked = (version: number): WarcCapture => ({
      ...capture(version, url),
      artifacts: [
        link('response', BODY, 'application/json', url),
        link('response-head', chunkedHead, 'message/http', url),
      ],
    });
    const writer = new WarcRecordWriter();
    const chunks: Uint8Array[] = [];
    for (const c of [chunked(1), chunked(2)])
      for await (const record of writer.captureRecords(c, kept)) chunks.push(record);
    const read = await records(chunks);
    expect(read.map((r) => r.type)).toEqual(['response', 'request', 'metadata', 'metadata']);
    const [response, , first, second] = read;
    expect(response.block.toString('latin1')).toBe(
      `${chunkedHead.toString('latin1')}${BODY.length.toString(16)}\r\n${BODY.toString('latin1')}\r\n0\r\n\r\n`,
    );
    expect(response.headers['WARC-Payload-Digest']).toBe(`sha256:${hex(BODY)}`);
    expect(response.headers['WARC-Block-Digest']).toBe(`sha256:${hex(response.block)}`);
    // both versions' metadata say so, naming the record; the second names the one the first wrote
    for (const metadata of [first, second]) {
      expect(metadata.block.toString('utf8')).toContain(
        `response-framing: ${response.headers['WARC-Record-ID']} its body was sent chunked and is written as one chunk (the chunk sizes and trailer fields as sent were not kept)\r\n`,
      );
    }
    // a body sent with a length is written as it came, and no note is made
    const plain = await records(await written(new WarcRecordWriter(), capture(1, url)));
    expect(plain[2].block.toString('utf8')).not.toContain('response-framing');
  });

  it('writes a 304 or 204 as it came, even when its head says chunked: such an answer has no body', async () => {
    const url = 'https://m.example/api/v1/statuses/1';
    for (const status of ['304 Not Modified', '204 No Content']) {
      const head = Buffer.from(`HTTP/1.1 ${status}\r\nTransfer-Encoding: chunked\r\n\r\n`, 'latin1');
      const empty = Buffer.alloc(0);
      const kept = new Map([
        [hex(head), head],
        [hex(empty), empty],
      ]);
      const c: WarcCapture = {
        ...capture(1, url),
        artifacts: [
          link('response', empty, 'application/json', url),
          link('response-head', head, 'message/http', url),
        ],
      };
      const chunks: Uint8Array[] = [];
      for await (const record of new WarcRecordWriter().captureRecords(c, kept)) chunks.push(record);
      const [response, , metadata] = await records(chunks);
      expect(response.block.equals(head)).toBe(true);
      expect(metadata.block.toString('utf8')).not.toContain('response-framing');
    }
  });

  it('reads the transfer codings of a head as RFC 9112 does: chunked only when it is the last', () => {
    const head = (fields: string) => Buffer.from(`HTTP/1.1 200 OK\r\n${fields}\r\n`, 'latin1');
    expect(sentChunked(head('transfer-encoding: Chunked\r\n'))).toBe(true);
    expect(sentChunked(head('Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n'))).toBe(true);
    expect(sentChunked(head('Transfer-Encoding: gzip, chunked\r\n'))).toBe(true);
    expect(sentChunked(head('Transfer-Encoding: chunked, gzip\r\n'))).toBe(false);
    expect(sentChunked(head('Content-Length: 12\r\nX-Note: Transfer-Encoding: chunked\r\n'))).toBe(false);
  });

  it("notes in the metadata, on one line, that a version's edit history came incomplete", async () => {
    const gap = { kind: 'not-read' as const, detail: 'm.example answered 500\r\nInternal Server Error' };
    const read = await records(
      await written(new WarcRecordWriter(), { ...capture(1, null), artifacts: [], historyGap: gap }),
    );
    const lines = read[0].block.toString('utf8').split('\r\n');
    expect(lines.filter((line) => line.startsWith('history-gap: '))).toHaveLength(1);
    expect(lines).toContain('history-gap: not-read: m.example answered 500 Internal Server Error');
    const without = await records(
      await written(new WarcRecordWriter(), { ...capture(1, null), artifacts: [] }),
    );
    expect(without[0].block.toString('utf8')).not.toContain('history-gap');
  });

  it('writes the metadata of a capture that kept no answer without a WARC-Concurrent-To field', async () => {
    const read = await records(await written(new WarcRecordWriter(), { ...capture(1, null), artifacts: [] }));
    expect(read.map((r) => r.type)).toEqual(['metadata']);
    expect(read[0].fields.map(([name]) => name)).not.toContain('WARC-Concurrent-To');
  });

  it('names bytes kept before URLs were by their hash, with no request record', async () => {
    const read = await records(await written(new WarcRecordWriter(), capture(1, null)));
    expect(read.map((r) => r.type)).toEqual(['response', 'metadata']);
    expect(read[0].headers['WARC-Target-URI']).toBe(`urn:verbatim:artifact:sha256:${hex(BODY)}`);
  });

  it('writes a body kept without a head as a resource record of its media type', async () => {
    const photo = link('media', PHOTO, 'image/jpeg', 'https://m.example/media/1.jpg');
    const chunks = await written(new WarcRecordWriter(), capture(1, 'https://m.example/a', [photo]));
    const read = await records(chunks);
    const resource = read.find((r) => r.type === 'resource')!;
    const response = read.find((r) => r.type === 'response')!;
    const metadata = read.find((r) => r.type === 'metadata')!;
    expect(resource.block.equals(PHOTO)).toBe(true);
    // the metadata is concurrent to both records, a field each (WARC 1.1 lets this one repeat)
    expect(metadata.fields.filter(([name]) => name === 'WARC-Concurrent-To')).toEqual([
      ['WARC-Concurrent-To', response.headers['WARC-Record-ID']],
      ['WARC-Concurrent-To', resource.headers['WARC-Record-ID']],
    ]);
    // as two lines of the head in the file, not one joined value
    const head = gunzipSync(chunks[chunks.length - 1])
      .toString('utf8')
      .split('\r\n\r\n')[0];
    expect(head.split('\r\n').filter((line) => line.startsWith('WARC-Concurrent-To: '))).toHaveLength(2);
    expect(resource.headers).toMatchObject({
      'WARC-Target-URI': 'https://m.example/media/1.jpg',
      'Content-Type': 'image/jpeg',
      'WARC-Payload-Digest': `sha256:${hex(PHOTO)}`,
      'WARC-Block-Digest': `sha256:${hex(PHOTO)}`,
    });
  });

  it('writes an observation as the answer that showed it and a metadata record of the transition', async () => {
    const url = 'https://m.example/api/v1/statuses/1';
    const observation = {
      statementId: '7b0d5e0e-0000-4000-8000-000000000001',
      statementUrl: 'https://m.example/@mfa/1',
      observationId: '7b0d5e0e-0000-4000-8000-0000000000aa',
      status: 'missing',
      previousStatus: 'active',
      reason: null,
      httpStatus: 404,
      observedAt: new Date('2026-03-09T10:00:00.000Z'),
      leafIndex: 12,
      artifacts: [
        link('response', BODY, 'application/json', url),
        link('response-head', HEAD, 'message/http', url),
      ],
    };
    const writer = new WarcRecordWriter();
    const chunks: Uint8Array[] = [];
    for await (const record of writer.observationRecords(observation, bytes)) chunks.push(record);
    const read = await records(chunks);
    expect(read.map((r) => r.type)).toEqual(['response', 'request', 'metadata']);
    expect(read[0].headers['WARC-Date']).toBe('2026-03-09T10:00:00.000Z');
    const text = read[2].block.toString('utf8');
    for (const line of [
      'observation-id: 7b0d5e0e-0000-4000-8000-0000000000aa',
      'status: missing',
      'previous-status: active',
      'http-status: 404',
      'log-leaf-index: 12',
      'observed-at: 2026-03-09T10:00:00.000Z',
      `record: ${read[0].headers['WARC-Record-ID']}`,
    ]) {
      expect(text).toContain(`${line}\r\n`);
    }
    expect(text).not.toContain('reason:');
  });

  it('starts a file with a warcinfo record, every record its own gzip member', async () => {
    const info = await warcinfoRecord('x.warc.gz', 'test');
    expect(Buffer.from(info).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const [record] = await records([info]);
    expect(record.type).toBe('warcinfo');
    expect(record.headers['WARC-Filename']).toBe('x.warc.gz');
    expect(record.block.toString('utf8')).toContain('format: WARC File Format 1.1\r\n');
  });
});
