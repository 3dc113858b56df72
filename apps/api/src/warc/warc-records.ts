import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip, gzipSync } from 'node:zlib';
import { WARCRecord, WARCSerializer, multiValueHeader, type WARCType } from 'warcio';
import { type CaptureArtifactLink, type WarcCapture, type WarcObservation } from '@app/persistence';
import { pairResponses, type KeptResponse } from './pair-responses';

export const WARC_VERSION = 'WARC/1.1';

/** Records up to this size are compressed on the event loop (cheaper than a trip to the thread pool). */
const GZIP_INLINE_BYTES = 64 * 1024;
const gzipAsync = promisify(gzip);

/**
 * One gzip member per record, so readers can seek to any record and a cut download keeps what came before.
 * warcio serialises; node's zlib compresses, ten times faster here than warcio's CompressionStream.
 */
async function serialize(record: WARCRecord): Promise<Uint8Array> {
  const raw = await WARCSerializer.serialize(record, { gzip: false });
  return raw.length <= GZIP_INLINE_BYTES ? gzipSync(raw) : gzipAsync(raw);
}

/**
 * A record whose block is exactly `block` (no HTTP head rebuilt by warcio), its digests computed here with
 * node's SHA-256: warcio's own hashers cost more than the rest of the record. The payload is the block,
 * unless the block starts with an HTTP head (`payloadSha256` given: the body's hash).
 */
function rawRecord(
  type: WARCType,
  url: string,
  date: string,
  headers: Record<string, string>,
  block: Buffer[],
  payloadSha256?: string,
): WARCRecord {
  const blockHash = createHash('sha256');
  for (const part of block) blockHash.update(part);
  const blockDigest = `sha256:${blockHash.digest('hex')}`;
  const record = WARCRecord.create(
    {
      url,
      date,
      type,
      warcVersion: WARC_VERSION,
      warcHeaders: {
        ...headers,
        'WARC-Block-Digest': blockDigest,
        'WARC-Payload-Digest': payloadSha256 === undefined ? blockDigest : `sha256:${payloadSha256}`,
      },
    },
    block,
  );
  // create() prepares an HTTP head for request and response records; ours, when there is one, is in the block
  record.httpHeaders = null;
  return record;
}

/** The file's first record: what wrote it and what it holds. */
export function warcinfoRecord(filename: string, description: string): Promise<Uint8Array> {
  return serialize(
    WARCRecord.createWARCInfo(
      { filename, warcVersion: WARC_VERSION },
      {
        software: 'Verbatim',
        format: 'WARC File Format 1.1',
        conformsTo: 'https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/',
        description,
      },
    ),
  );
}

/**
 * Writes the records of captures, remembering across calls which responses it already wrote: one response
 * body (a page of posts) often serves many statements, and an account export writes it once, then refers to it.
 */
export class WarcRecordWriter {
  /** head sha256 + body sha256 → the WARC-Record-ID of the response record written for them */
  private readonly written = new Map<string, string>();
  /** the WARC-Record-IDs of response records whose body was framed again as one chunk */
  private readonly rechunked = new Set<string>();
  /** the WARC-Date of each response and resource record written, by WARC-Record-ID */
  private readonly dates = new Map<string, string>();

  /**
   * The SHA-256s of the bytes that writing these artifacts needs: those of responses and resources not yet
   * written. A page of forty posts is then read from the database once per file, not once per post.
   */
  bytesNeeded(artifacts: readonly CaptureArtifactLink[]): string[] {
    const { responses, resources } = pairResponses(artifacts);
    return [
      ...responses
        .filter((kept) => !this.written.has(`${kept.head.sha256}:${kept.body.sha256}`))
        .flatMap((kept) => [kept.head.sha256, kept.body.sha256]),
      ...resources.filter((r) => !this.written.has(`resource:${r.sha256}`)).map((r) => r.sha256),
    ];
  }

  /**
   * The records of one capture: for each kept response, a `response` record whose block is the kept head
   * followed by the kept body (see responseRecord), and a `request` record for it; a `resource` record for each body
   * kept without a head (media); then a `metadata` record tying them to the version, its record hash and its
   * place in the log. `bytes` holds every artifact of the capture, by SHA-256.
   */
  async *captureRecords(
    capture: WarcCapture,
    bytes: ReadonlyMap<string, Buffer>,
  ): AsyncGenerator<Uint8Array> {
    const date = capture.capturedAt.toISOString();
    const recordIds: string[] = [];
    yield* this.answerRecords(capture.artifacts, date, bytes, recordIds);
    const fields: [string, string][] = [
      ['statement-id', capture.statementId],
      ['statement-url', capture.statementUrl],
      ['version', String(capture.version)],
      ['version-source', capture.source],
      ['record-sha256', capture.recordSha256],
      ['log-leaf-index', leafIndexField(capture.leafIndex)],
      ['evidence-level', capture.evidenceLevel],
      ['captured-at', date],
      // our note, beside the record: edits made before this version may be missing
      ...(capture.historyGap
        ? [['history-gap', `${capture.historyGap.kind}: ${capture.historyGap.detail}`] as [string, string]]
        : []),
    ];
    yield await serialize(
      metadataRecord(capture.statementUrl, date, fields, capture.artifacts, recordIds, {
        rechunked: this.rechunked,
        concurrent: this.sameCapture(recordIds, date),
      }),
    );
  }

  /**
   * The records of one observation (a recheck that saw the post missing, deleted, restored…): the platform's
   * answers that showed it, as for a capture, and a `metadata` record with the transition and its log entry.
   */
  async *observationRecords(
    observation: WarcObservation,
    bytes: ReadonlyMap<string, Buffer>,
  ): AsyncGenerator<Uint8Array> {
    const date = observation.observedAt.toISOString();
    const recordIds: string[] = [];
    yield* this.answerRecords(observation.artifacts, date, bytes, recordIds);
    const fields: [string, string][] = [
      ['statement-id', observation.statementId],
      ['statement-url', observation.statementUrl],
      ['observation-id', observation.observationId],
      ['status', observation.status],
      ['previous-status', observation.previousStatus],
      ...(observation.reason === null ? [] : [['reason', observation.reason] as [string, string]]),
      ...(observation.httpStatus === null
        ? []
        : [['http-status', String(observation.httpStatus)] as [string, string]]),
      ['log-leaf-index', leafIndexField(observation.leafIndex)],
      ['observed-at', date],
    ];
    yield await serialize(
      metadataRecord(observation.statementUrl, date, fields, observation.artifacts, recordIds, {
        rechunked: this.rechunked,
        concurrent: this.sameCapture(recordIds, date),
      }),
    );
  }

  /**
   * Of the records named, those written at `date`: the same capture (a page's statements share its response). A
   * response or photo written for an earlier version is named, but was not captured with this one.
   */
  private sameCapture(recordIds: string[], date: string): string[] {
    return [...new Set(recordIds)].filter((id) => this.dates.get(id) === date);
  }

  /** Response, request and resource records of the kept answers; pushes the ids the metadata names to `recordIds`. */
  private async *answerRecords(
    artifacts: readonly CaptureArtifactLink[],
    date: string,
    bytes: ReadonlyMap<string, Buffer>,
    recordIds: string[],
  ): AsyncGenerator<Uint8Array> {
    const { responses, resources } = pairResponses(artifacts);
    for (const kept of responses) {
      const key = `${kept.head.sha256}:${kept.body.sha256}`;
      const earlier = this.written.get(key);
      if (earlier) {
        recordIds.push(earlier);
        continue;
      }
      const head = bytesOf(bytes, kept.head.sha256);
      const rechunk = framedAgain(head);
      const response = responseRecord(kept, head, bytesOf(bytes, kept.body.sha256), date, rechunk);
      const id = response.warcHeaders.headers.get('WARC-Record-ID') as string;
      this.written.set(key, id);
      this.dates.set(id, date);
      recordIds.push(id);
      if (rechunk) this.rechunked.add(id);
      yield await serialize(response);
      if (kept.head.url !== null) yield await serialize(requestRecord(kept.head.url, date, id));
    }
    for (const resource of resources) {
      const key = `resource:${resource.sha256}`;
      const earlier = this.written.get(key);
      if (earlier) {
        recordIds.push(earlier);
        continue;
      }
      const record = rawRecord(
        'resource',
        resource.url ?? artifactUrn(resource.sha256),
        date,
        { 'Content-Type': resource.mediaType },
        [bytesOf(bytes, resource.sha256)],
      );
      const id = record.warcHeaders.headers.get('WARC-Record-ID') as string;
      this.written.set(key, id);
      this.dates.set(id, date);
      recordIds.push(id);
      yield await serialize(record);
    }
  }
}

/**
 * The response as received. The record's HTTP head is not rebuilt from parsed headers (which would lose
 * their order, case and bytes): the block is the kept head followed by the kept body, byte for byte, but for the
 * framing of a chunked body. Its payload is the body, whose SHA-256 is already the artifact's address, hence the
 * payload digest.
 *
 * A body the server sent chunked was kept without its chunk framing, while the head still says
 * `Transfer-Encoding: chunked`; a block of the two would tell a replay tool to read chunks that are not there.
 * The body is then framed again, as one chunk (`rechunk`, see framedAgain), so the block is a well-formed
 * response. The payload digest stays the body's: WARC 1.1 (§5.9) takes the payload of an HTTP block with its
 * transfer coding removed (tools that digest the block's bytes after the head, as warcio does, will disagree on
 * these records).
 */
function responseRecord(
  kept: KeptResponse,
  head: Buffer,
  body: Buffer,
  date: string,
  rechunk: boolean,
): WARCRecord {
  return rawRecord(
    'response',
    kept.head.url ?? artifactUrn(kept.body.sha256),
    date,
    { 'Content-Type': 'application/http; msgtype=response' },
    rechunk ? [head, ...oneChunk(body)] : [head, body],
    kept.body.sha256,
  );
}

const ONE_CHUNK_NOTE =
  'its body was sent chunked and is written as one chunk (the chunk sizes and trailer fields as sent were not kept)';

/** Statuses whose responses have no body, whatever their head says (RFC 9112 §6.3). */
const BODILESS_STATUS = /^HTTP\/\d(?:\.\d)? (?:1\d\d|204|304) /;

/** Whether the response's body is written framed again as one chunk: it has one, and it came chunked. */
function framedAgain(head: Buffer): boolean {
  return !BODILESS_STATUS.test(head.subarray(0, 16).toString('latin1')) && sentChunked(head);
}

/** Whether the head's last transfer coding is chunked (RFC 9112 §6.1), so its body came framed as chunks. */
export function sentChunked(head: Buffer): boolean {
  const codings = head
    .toString('latin1')
    .split('\r\n')
    .filter((line) => /^transfer-encoding:/i.test(line))
    .flatMap((line) => line.slice(line.indexOf(':') + 1).split(','))
    .map((coding) => coding.trim().toLowerCase())
    .filter(Boolean);
  return codings[codings.length - 1] === 'chunked';
}

/** `body` as one chunk and the last, empty one (no trailer fields). */
function oneChunk(body: Buffer): Buffer[] {
  const last = Buffer.from('0\r\n\r\n', 'latin1');
  if (body.length === 0) return [last];
  return [
    Buffer.from(`${body.length.toString(16)}\r\n`, 'latin1'),
    body,
    Buffer.from('\r\n', 'latin1'),
    last,
  ];
}

/**
 * The request, rebuilt from the URL that answered: the request line and Host. The request's own headers
 * were not kept, which the metadata record says.
 */
function requestRecord(url: string, date: string, responseId: string): WARCRecord {
  const target = new URL(url);
  const head = Buffer.from(
    `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n\r\n`,
    'latin1',
  );
  return rawRecord(
    'request',
    url,
    date,
    { 'Content-Type': 'application/http; msgtype=request', 'WARC-Concurrent-To': responseId },
    [head],
    EMPTY_SHA256,
  );
}

/** The SHA-256 of no bytes: a GET request's payload. */
const EMPTY_SHA256 = createHash('sha256').digest('hex');

/**
 * A `metadata` record about a statement: the given fields, the artifacts, the records written for them, and which
 * of those had their body framed again (`rechunked`). It is `WARC-Concurrent-To` each of those captured with it
 * (`concurrent`; the field may repeat, WARC 1.1 §5.7), so a reader that follows record links finds them without
 * parsing the block. Its payload digest is its block's, as rawRecord writes for any record without an HTTP head.
 */
function metadataRecord(
  statementUrl: string,
  date: string,
  about: [string, string][],
  artifacts: readonly CaptureArtifactLink[],
  recordIds: string[],
  { rechunked, concurrent }: { rechunked: ReadonlySet<string>; concurrent: string[] },
): WARCRecord {
  const fields: [string, string][] = [
    ...about,
    ...artifacts.map((a): [string, string] => ['artifact', `${a.role} sha256:${a.sha256}`]),
    ...recordIds.map((id): [string, string] => ['record', id]),
    ['request-records', 'rebuilt from the URL that answered: the request line and Host only'],
    ...recordIds
      .filter((id) => rechunked.has(id))
      .map((id): [string, string] => ['response-framing', `${id} ${ONE_CHUNK_NOTE}`]),
  ];
  const body = Buffer.from(fields.map(([name, value]) => `${name}: ${oneLine(value)}\r\n`).join(''), 'utf8');
  const headers: Record<string, string> = { 'Content-Type': 'application/warc-fields' };
  // an empty list would write an empty field
  if (concurrent.length > 0)
    headers['WARC-Concurrent-To'] = multiValueHeader('WARC-Concurrent-To', concurrent);
  return rawRecord('metadata', statementUrl, date, headers, [body]);
}

function leafIndexField(leafIndex: number | null): string {
  return leafIndex === null ? 'pending' : String(leafIndex);
}

/** Names bytes whose URL was not kept (captured before it was): a URI, but no fetchable one. */
function artifactUrn(sha256: string): string {
  return `urn:verbatim:artifact:sha256:${sha256}`;
}

function bytesOf(bytes: ReadonlyMap<string, Buffer>, sha256: string): Buffer {
  const found = bytes.get(sha256);
  if (!found) throw new Error(`artifact ${sha256} was not read`);
  return found;
}

function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}
