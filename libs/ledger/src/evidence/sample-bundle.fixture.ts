/**
 * A real evidence bundle from a small in-memory log, for tests: five entries, the sample at index 2, a
 * checkpoint signed by a fresh Ed25519 key and cosigned by a fresh witness, and a stand-in TSA whose "tokens"
 * are plain text (the RFC 3161 parsing lives elsewhere; here only the wiring to the checkpoint digest matters).
 */
import { generateKeyPairSync } from 'node:crypto';
import { fromUtf8, toHex, utf8 } from '../bytes';
import { formatCheckpoint } from '../checkpoint';
import { cosign, ed25519Cosigner } from '../cosignature';
import { sha256 } from '../crypto';
import { MemoryNodeStore } from '../memory-node-store';
import { leafHash } from '../merkle';
import { ed25519NoteSigner, signNote } from '../note';
import { inclusionProof, treeHash } from '../stored-tree';
import { formatVerifierKey } from '../verifier-key';
import { type EvidenceBundle, type EvidenceBundleParts, buildEvidenceBundle } from './bundle';
import { type JsonObject } from './fields';
import { type HistoryGapNote } from './history-gap';
import { buildLogEntry } from './log-entry';
import { type TimestampVerifier } from './verify-bundle';

export const SAMPLE_ORIGIN = 'archive.example.org/statements';
export const WITNESS_TIME = Date.UTC(2022, 1, 27, 10, 5, 0) / 1000;
export const TSA_TIME = new Date('2022-02-27T10:07:00.000Z');

export const SAMPLE_RECORD: JsonObject = {
  platform: 'mastodon',
  account: 'DmytroKuleba@mastodon.example',
  postId: '109876',
  url: 'https://mastodon.example/@DmytroKuleba/109876',
  authoredAt: '2022-02-27T09:58:00.000Z',
  editedAt: null,
  title: null,
  text: 'Ukraine has submitted its application against Russia to the ICJ.',
  html: null,
  language: 'en',
  media: [],
  isReply: false,
  isRepost: false,
  isQuote: false,
  parserVersion: 'mastodon/1',
  artifacts: [],
};

export const RESPONSE_BODY = utf8('{"id":"109876","content":"<p>Ukraine has submitted its application</p>"}');
export const MEDIA_BODY = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5]);

export interface SampleLog {
  readonly bundle: EvidenceBundle;
  readonly logKey: string;
  readonly witnessKey: string;
  /** A valid key for the same origin name that did not sign anything. */
  readonly otherLogKey: string;
  /** The log's own key as a cosigner (type 0x04): not a witness, whatever its type says. */
  readonly logKeyAsWitness: string;
  readonly timestampVerifier: TimestampVerifier;
}

function hexSha(bytes: Uint8Array): string {
  return toHex(sha256(bytes));
}

function entryFor(index: number, recordSha256: string, origin: string): Uint8Array {
  return buildLogEntry({
    type: 'snapshot',
    statementId: index === 2 ? 'st_kuleba_icj' : `st_other_${index}`,
    version: 1,
    recordSha256,
    artifacts:
      index === 2
        ? [
            {
              role: 'response',
              mediaType: 'application/json',
              size: RESPONSE_BODY.length,
              sha256: hexSha(RESPONSE_BODY),
            },
            { role: 'media', mediaType: 'image/png', size: MEDIA_BODY.length, sha256: hexSha(MEDIA_BODY) },
          ]
        : [],
    capturedAt: '2022-02-27T10:00:00.000Z',
    origin,
  });
}

/** A stand-in TSA token: "TST <hex digest> <ISO time>". */
export function fakeToken(digest: Uint8Array, time: Date): Uint8Array {
  return utf8(`TST ${toHex(digest)} ${time.toISOString()}`);
}

export const fakeTimestampVerifier: TimestampVerifier = async (token, digest) => {
  const [tag, hex, time] = fromUtf8(token).split(' ');
  if (tag !== 'TST') throw new Error('not a token');
  if (hex !== toHex(digest)) throw new Error('message imprint does not match');
  return { genTime: new Date(time), signer: 'CN=Test TSA' };
};

/**
 * A log of five entries and a bundle for entry 2. `origin`: the origin its entries and checkpoint name, when
 * it is to differ from the name of the key that signs them (SAMPLE_ORIGIN); `historyGap`: the archive's note
 * the bundle carries beside the record.
 */
export async function buildSampleLog(
  options: { withBodies?: boolean; origin?: string; historyGap?: HistoryGapNote } = {},
): Promise<SampleLog> {
  const origin = options.origin ?? SAMPLE_ORIGIN;
  const logPrivate = generateKeyPairSync('ed25519').privateKey;
  const signer = ed25519NoteSigner(SAMPLE_ORIGIN, logPrivate);
  const witness = ed25519Cosigner('witness.example.net', generateKeyPairSync('ed25519').privateKey);
  const other = ed25519NoteSigner(SAMPLE_ORIGIN, generateKeyPairSync('ed25519').privateKey);

  const recordSha256 = hexSha(utf8(JSON.stringify(SAMPLE_RECORD)));
  const entries = [0, 1, 2, 3, 4].map((i) =>
    entryFor(i, i === 2 ? canonicalRecordSha() : recordSha256, origin),
  );
  const store = new MemoryNodeStore();
  await store.append(entries.map(leafHash));
  const size = entries.length;
  const body = formatCheckpoint({ origin, size, rootHash: await treeHash(size, store.read) });
  const note = signNote(body, signer) + cosign(body, witness, WITNESS_TIME);
  const logKey = formatVerifierKey(signer);
  const witnessKey = formatVerifierKey(witness);

  const bundle = buildEvidenceBundle({
    leaf: entries[2],
    leafIndex: 2,
    inclusionProof: await inclusionProof(2, size, store.read),
    checkpoint: note,
    logKey,
    record: SAMPLE_RECORD,
    artifactBodies:
      options.withBodies === false
        ? undefined
        : new Map([
            [hexSha(RESPONSE_BODY), RESPONSE_BODY],
            [hexSha(MEDIA_BODY), MEDIA_BODY],
          ]),
    timestamps: [{ tsa: 'tsa.example.com', token: fakeToken(sha256(utf8(body)), TSA_TIME) }],
    witnesses: [witnessKey],
    ...(options.historyGap !== undefined ? { historyGap: options.historyGap } : {}),
  });
  return {
    bundle,
    logKey,
    witnessKey,
    otherLogKey: formatVerifierKey(other),
    logKeyAsWitness: formatVerifierKey(ed25519Cosigner(SAMPLE_ORIGIN, logPrivate)),
    timestampVerifier: fakeTimestampVerifier,
  };
}

/** SHA-256 of the JCS bytes of SAMPLE_RECORD, computed independently of the code under test. */
export function canonicalRecordSha(): string {
  // SAMPLE_RECORD's keys, sorted by code unit, with JSON.stringify's escaping (equal to JCS for this data).
  const sorted = Object.fromEntries(Object.entries(SAMPLE_RECORD).sort(([a], [b]) => (a < b ? -1 : 1)));
  return hexSha(utf8(JSON.stringify(sorted)));
}

/**
 * A log of one entry, `leaf` (of `origin`), signed by a fresh key, and its bundle: with the record and the bodies
 * `parts` give.
 */
export async function oneEntryBundle(
  origin: string,
  leaf: Uint8Array,
  parts: Pick<EvidenceBundleParts, 'record' | 'artifactBodies'>,
): Promise<{ bundle: EvidenceBundle; logKey: string }> {
  const signer = ed25519NoteSigner(origin, generateKeyPairSync('ed25519').privateKey);
  const store = new MemoryNodeStore();
  await store.append([leafHash(leaf)]);
  const body = formatCheckpoint({ origin, size: 1, rootHash: await treeHash(1, store.read) });
  const logKey = formatVerifierKey(signer);
  const bundle = buildEvidenceBundle({
    leaf,
    leafIndex: 0,
    inclusionProof: await inclusionProof(0, 1, store.read),
    checkpoint: signNote(body, signer),
    logKey,
    ...parts,
  });
  return { bundle, logKey };
}

/** The platform's answer to a deleted post: a 404's status line and headers, and its body. */
export const NOT_FOUND_HEAD = utf8('HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n\r\n');
export const NOT_FOUND_BODY = utf8('{"error":"Record not found"}');

/**
 * A one-entry log holding an observation (the post seen deleted) and its bundle: no record, and no record hash.
 * `withAnswer`: the platform's 404 (its head and body) as the entry's artifacts, included in the bundle.
 */
export async function buildObservationBundle(
  options: { withAnswer?: boolean } = {},
): Promise<{ bundle: EvidenceBundle; logKey: string }> {
  const answer = options.withAnswer
    ? [
        { role: 'response', mediaType: 'application/json', bytes: NOT_FOUND_BODY },
        { role: 'response-head', mediaType: 'message/http', bytes: NOT_FOUND_HEAD },
      ]
    : [];
  const leaf = buildLogEntry({
    type: 'observation',
    statementId: 'st_kuleba_icj',
    status: 'deleted',
    artifacts: answer.map(({ role, mediaType, bytes }) => ({
      role,
      mediaType,
      size: bytes.length,
      sha256: hexSha(bytes),
    })),
    capturedAt: '2022-03-01T10:00:00.000Z',
    origin: SAMPLE_ORIGIN,
  });
  return oneEntryBundle(SAMPLE_ORIGIN, leaf, {
    record: null,
    artifactBodies: new Map(answer.map(({ bytes }) => [hexSha(bytes), bytes])),
  });
}
