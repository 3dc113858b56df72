/**
 * The evidence bundle, format "verbatim-evidence/v1": one JSON document (application/json) that carries
 * everything needed to check, offline, that a record was captured and logged. Its top-level keys are a
 * public contract (docs/evidence.md), and unknown fields are refused. A field may join v1 only as an optional one
 * whose absence keeps every older bundle's meaning (as `historyGap` did): an older verifier refuses a bundle that
 * carries it rather than skip it unread. Any other change is a new format version.
 */
import { fromBase64, toBase64, toHex } from '../bytes';
import { parseCheckpoint } from '../checkpoint';
import { sha256 } from '../crypto';
import { LedgerFormatError } from '../errors';
import { HASH_SIZE, leafHash, verifyInclusion } from '../merkle';
import { openNote } from '../note';
import { parseVerifierKey } from '../verifier-key';
import {
  type JsonObject,
  type JsonValue,
  checkKeys,
  formatError,
  isPlainObject,
  jcsBytes,
  join,
  readArray,
  readBase64,
  readInteger,
  readNonEmptyString,
  readObject,
  readSha256Hex,
  readString,
} from './fields';
import {
  type EvidenceHistoryGap,
  HISTORY_GAP_ABOUT,
  type HistoryGapNote,
  readHistoryGap,
} from './history-gap';
import { type ArtifactReference, parseLogEntry } from './log-entry';
import { parseJsonStrict } from './strict-json';

export const EVIDENCE_FORMAT = 'verbatim-evidence/v1';
export const EVIDENCE_MEDIA_TYPE = 'application/json';
/** A proof for a tree of up to 2^64 leaves has at most 64 hashes. */
export const MAX_INCLUSION_PROOF_HASHES = 64;

export interface EvidenceArtifact extends ArtifactReference {
  /** The exact artifact bytes, base64; absent when withheld (the leaf still commits to their hash). */
  readonly body?: string;
}

export interface EvidenceTimestamp {
  /** Who issued the token (informational: the token's signer is what a verifier checks). */
  readonly tsa: string;
  /** RFC 3161 TimeStampToken (CMS ContentInfo), DER, base64; its imprint is SHA-256 of the checkpoint text. */
  readonly token: string;
}

/** The bundle exactly as it appears in JSON. */
export interface EvidenceBundle {
  readonly format: typeof EVIDENCE_FORMAT;
  /** The log's origin: the first line of its checkpoints. */
  readonly origin: string;
  /** The exact log entry bytes, base64. */
  readonly leaf: string;
  readonly leafIndex: number;
  readonly treeSize: number;
  /** RFC 9162 inclusion proof hashes, bottom up, base64. */
  readonly inclusionProof: readonly string[];
  /** The signed checkpoint note, verbatim, with the log's signature and any witness cosignatures. */
  readonly checkpoint: string;
  /** The log's verifier key (informational: a verifier must pin the key it trusts). */
  readonly logKey: string;
  /** The normalized statement record, or null when the entry names none or it is withheld. */
  readonly record: JsonObject | null;
  /** SHA-256 (hex) of the JCS bytes of the record, as the leaf names it; null when the leaf names none. */
  readonly recordSha256: string | null;
  readonly artifacts: readonly EvidenceArtifact[];
  readonly timestamps: readonly EvidenceTimestamp[];
  /** Verifier keys of witnesses that cosigned (informational). */
  readonly witnesses?: readonly string[];
  /**
   * The archive's own note that the edit history read with this version came incomplete. Unsigned: not in the
   * log, not covered by any hash, never verified; absent when there is no such note.
   */
  readonly historyGap?: EvidenceHistoryGap;
}

export interface EvidenceBundleParts {
  /** The exact log entry bytes. */
  readonly leaf: Uint8Array;
  readonly leafIndex: number;
  readonly inclusionProof: readonly Uint8Array[];
  /** The signed checkpoint note whose tree the proof leads to. */
  readonly checkpoint: string;
  readonly logKey: string;
  /** The record the leaf's recordSha256 names, or null to withhold it. */
  readonly record: JsonObject | null;
  /** Artifact bodies to include, by SHA-256 hex; artifacts without one are listed by digest only. */
  readonly artifactBodies?: ReadonlyMap<string, Uint8Array>;
  readonly timestamps?: readonly { readonly tsa: string; readonly token: Uint8Array }[];
  readonly witnesses?: readonly string[];
  /** The archive's note of an incomplete edit history for this version, if it has one (carried, not checked). */
  readonly historyGap?: HistoryGapNote;
}

const BUNDLE_KEYS = [
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
  'historyGap',
] as const;

export function sha256Hex(bytes: Uint8Array): string {
  return toHex(sha256(bytes));
}

/**
 * Assembles a bundle from the log's parts. Everything derivable is derived (origin and tree size from the
 * checkpoint, the record hash and artifact list from the leaf), and the result is checked as the verifier
 * will check it, minus timestamps and witnesses: a bundle that cannot verify is never produced.
 */
export function buildEvidenceBundle(parts: EvidenceBundleParts): EvidenceBundle {
  const entry = parseLogEntry(parts.leaf);
  const verifier = parseVerifierKey(parts.logKey);
  const checkpoint = parseCheckpoint(openNote(parts.checkpoint, [verifier]).text);
  if (entry.origin !== checkpoint.origin) {
    throw new LedgerFormatError(
      `the entry's origin ${entry.origin} is not the checkpoint's ${checkpoint.origin}`,
    );
  }
  verifyInclusion(
    leafHash(parts.leaf),
    parts.leafIndex,
    checkpoint.size,
    parts.inclusionProof,
    checkpoint.rootHash,
  );
  if (parts.record !== null) {
    if (entry.recordSha256 === undefined) throw new LedgerFormatError('the log entry names no record');
    const actual = sha256Hex(jcsBytes(parts.record, 'record'));
    if (actual !== entry.recordSha256) {
      throw new LedgerFormatError(
        `the record hashes to ${actual}, the log entry names ${entry.recordSha256}`,
      );
    }
  }
  const artifacts = entry.artifacts.map((artifact): EvidenceArtifact => {
    const body = parts.artifactBodies?.get(artifact.sha256);
    if (body === undefined) return { ...artifact };
    if (body.length !== artifact.size || sha256Hex(body) !== artifact.sha256) {
      throw new LedgerFormatError(`the body given for artifact ${artifact.sha256} does not match it`);
    }
    return { ...artifact, body: toBase64(body) };
  });
  return {
    format: EVIDENCE_FORMAT,
    origin: checkpoint.origin,
    leaf: toBase64(parts.leaf),
    leafIndex: parts.leafIndex,
    treeSize: checkpoint.size,
    inclusionProof: parts.inclusionProof.map(toBase64),
    checkpoint: parts.checkpoint,
    logKey: parts.logKey,
    record: parts.record,
    recordSha256: entry.recordSha256 ?? null,
    artifacts,
    timestamps: (parts.timestamps ?? []).map(({ tsa, token }) => ({ tsa, token: toBase64(token) })),
    ...(parts.witnesses !== undefined ? { witnesses: [...parts.witnesses] } : {}),
    // last, after everything signed, and read back as the verifier reads it
    ...(parts.historyGap !== undefined
      ? { historyGap: readHistoryGap({ ...parts.historyGap, about: HISTORY_GAP_ABOUT }, 'historyGap') }
      : {}),
  };
}

/** The bundle as a file: indented JSON with a final newline (whitespace is not significant). */
export function serializeEvidenceBundle(bundle: EvidenceBundle): string {
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

function readArtifact(value: unknown, path: string): EvidenceArtifact {
  const object = readObject(value, path);
  checkKeys(object, ['role', 'mediaType', 'size', 'sha256', 'body'], path);
  const artifact: EvidenceArtifact = {
    role: readNonEmptyString(object, 'role', path),
    mediaType: readNonEmptyString(object, 'mediaType', path),
    size: readInteger(object, 'size', path, 0),
    sha256: readSha256Hex(object, 'sha256', path),
  };
  if (object.body === undefined) return artifact;
  readBase64(object, 'body', path);
  return { ...artifact, body: object.body as string };
}

function readTimestamp(value: unknown, path: string): EvidenceTimestamp {
  const object = readObject(value, path);
  checkKeys(object, ['tsa', 'token'], path);
  const tsa = readNonEmptyString(object, 'tsa', path);
  if (readBase64(object, 'token', path).length === 0) throw formatError(join(path, 'token'), 'is empty');
  return { tsa, token: object.token as string };
}

/** True for what JSON can carry: no undefined, functions, NaN, class instances... */
function checkJsonValue(value: unknown, path: string): asserts value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw formatError(path, 'is not a finite number');
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkJsonValue(item, join(path, i)));
    return;
  }
  if (isPlainObject(value) && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) checkJsonValue(item, join(path, key));
    return;
  }
  throw formatError(path, `is not a JSON value`);
}

/**
 * Checks a bundle's shape (given as JSON text or as an already parsed value): every field present with its type, base64 and hex well-formed, no unknown field,
 * and (given as text) no repeated key anywhere. It does not check the cryptography: verifyEvidenceBundle does.
 * Throws LedgerFormatError naming the field.
 */
export function parseEvidenceBundle(json: unknown): EvidenceBundle {
  const value = typeof json === 'string' ? parseJsonStrict(json, 'evidence bundle') : json;
  const object = readObject(value, 'evidence bundle');
  if (object.format !== EVIDENCE_FORMAT) {
    throw formatError(
      'format',
      object.format === undefined
        ? `missing (expected "${EVIDENCE_FORMAT}")`
        : `unsupported format ${JSON.stringify(object.format)} (this verifier reads "${EVIDENCE_FORMAT}")`,
    );
  }
  checkKeys(object, BUNDLE_KEYS, '');

  const inclusionProof = readArray(object, 'inclusionProof', '');
  if (inclusionProof.length > MAX_INCLUSION_PROOF_HASHES) {
    throw formatError(
      'inclusionProof',
      `has ${inclusionProof.length} hashes, at most ${MAX_INCLUSION_PROOF_HASHES}`,
    );
  }
  inclusionProof.forEach((_hash, i) => {
    const path = join('inclusionProof', i);
    if (typeof inclusionProof[i] !== 'string') throw formatError(path, 'expected a base64 string');
    let bytes: Uint8Array;
    try {
      bytes = fromBase64(inclusionProof[i] as string);
    } catch {
      throw formatError(path, 'expected standard padded base64');
    }
    if (bytes.length !== HASH_SIZE)
      throw formatError(path, `is ${bytes.length} bytes, expected ${HASH_SIZE}`);
  });

  let record: JsonObject | null = null;
  if (!('record' in object)) throw formatError('record', 'missing (use null when the record is withheld)');
  if (object.record !== null) {
    record = readObject(object.record, 'record') as JsonObject;
    checkJsonValue(record, 'record');
  }
  if (!('recordSha256' in object))
    throw formatError('recordSha256', 'missing (use null when the leaf names none)');
  const recordSha256 = object.recordSha256 === null ? null : readSha256Hex(object, 'recordSha256', '');

  const leaf = readBase64(object, 'leaf', '');
  if (leaf.length === 0) throw formatError('leaf', 'is empty');
  const checkpoint = readNonEmptyString(object, 'checkpoint', '');

  let witnesses: string[] | undefined;
  if (object.witnesses !== undefined) {
    witnesses = readArray(object, 'witnesses', '').map((key, i) => {
      if (typeof key !== 'string' || key.length === 0)
        throw formatError(join('witnesses', i), 'expected a key string');
      return key;
    });
  }

  const historyGap =
    object.historyGap === undefined ? undefined : readHistoryGap(object.historyGap, 'historyGap');

  return {
    format: EVIDENCE_FORMAT,
    origin: readNonEmptyString(object, 'origin', ''),
    leaf: object.leaf as string,
    leafIndex: readInteger(object, 'leafIndex', '', 0),
    treeSize: readInteger(object, 'treeSize', '', 1),
    inclusionProof: inclusionProof as string[],
    checkpoint,
    logKey: readString(object, 'logKey', ''),
    record,
    recordSha256,
    artifacts: readArray(object, 'artifacts', '').map((item, i) => readArtifact(item, join('artifacts', i))),
    timestamps: readArray(object, 'timestamps', '').map((item, i) =>
      readTimestamp(item, join('timestamps', i)),
    ),
    ...(witnesses !== undefined ? { witnesses } : {}),
    ...(historyGap !== undefined ? { historyGap } : {}),
  };
}
