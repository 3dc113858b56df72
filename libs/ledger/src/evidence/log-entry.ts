/**
 * The log entry (leaf) format, version 1: the RFC 8785 (JCS) bytes of
 *   { v: 1, type, statementId, version?, recordSha256?, status?, reason?, artifacts: [{ role, mediaType, size, sha256 }],
 *     capturedAt, origin }
 * A `snapshot` names a version and its record; an `observation` names the status observed (and why, when the
 * platform said), its artifacts being the platform's answers that showed it, and capturedAt the time observed.
 * A `quotation` records what a secondary source (a news article) claimed a statement said: recordSha256 is
 * the hash of the claim (author, date, text, where it was read), its artifact the document as given, and
 * statementId the quoted statement; it has no version, as it is a claim, not a capture.
 * A `media` entry names a media file of a version (downloaded after the version was sealed, so its digest
 * could not be in the record): `version` and `recordSha256` say which version, `artifacts` the file (role
 * `media`), and capturedAt when it was downloaded.
 * The entry holds digests only, never content, so content can be withheld later without breaking a proof.
 * Its Merkle leaf hash is SHA-256(0x00 || entry bytes).
 */
import { bytesEqual, fromUtf8 } from '../bytes';
import { LedgerFormatError } from '../errors';
import {
  checkKeys,
  formatError,
  jcsBytes,
  join,
  readArray,
  readInteger,
  readNonEmptyString,
  readObject,
  readSha256Hex,
  readUtcTimestamp,
} from './fields';

export const LOG_ENTRY_VERSION = 1;
export const LOG_ENTRY_TYPES = ['snapshot', 'observation', 'quotation', 'media'] as const;
export type LogEntryType = (typeof LOG_ENTRY_TYPES)[number];

/** A raw artifact as the log commits to it: what it was, its media type, its exact length and SHA-256. */
export interface ArtifactReference {
  readonly role: string;
  readonly mediaType: string;
  readonly size: number;
  /** SHA-256 of the exact bytes, 64 lowercase hex digits. */
  readonly sha256: string;
}

export interface LogEntryFields {
  /**
   * `snapshot`: a captured version of a statement; `observation`: a change of status seen later (missing, deleted, restored...);
   * `quotation`: what an article claimed a statement said; `media`: a media file of a version, downloaded after
   * the version was recorded.
   */
  readonly type: LogEntryType;
  readonly statementId: string;
  /** The version number of the statement this entry records, from 1. */
  readonly version?: number;
  /** SHA-256 (hex) of the JCS bytes of the normalized statement record. */
  readonly recordSha256?: string;
  /** `observation` only: the status observed (active, missing, deleted, unavailable). */
  readonly status?: string;
  /** `observation` only: why, when the platform said (account-suspended, private, …). */
  readonly reason?: string;
  readonly artifacts: readonly ArtifactReference[];
  /** When the capture happened, by the log's own clock (RFC 3339 UTC). */
  readonly capturedAt: string;
  /** The origin of the log the entry was written to (its checkpoints' first line). */
  readonly origin: string;
}

export interface LogEntry extends LogEntryFields {
  readonly v: typeof LOG_ENTRY_VERSION;
}

const ENTRY_KEYS = [
  'v',
  'type',
  'statementId',
  'version',
  'recordSha256',
  'status',
  'reason',
  'artifacts',
  'capturedAt',
  'origin',
] as const;
const ARTIFACT_KEYS = ['role', 'mediaType', 'size', 'sha256'] as const;

/** Code-unit order (not locale order), so every implementation sorts the same way. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The canonical order of artifacts in an entry: by role, then sha256, then media type, then size. */
export function compareArtifacts(a: ArtifactReference, b: ArtifactReference): number {
  return (
    compareText(a.role, b.role) ||
    compareText(a.sha256, b.sha256) ||
    compareText(a.mediaType, b.mediaType) ||
    a.size - b.size
  );
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function readArtifact(value: unknown, path: string): ArtifactReference {
  const object = readObject(value, path);
  checkKeys(object, ARTIFACT_KEYS, path);
  return {
    role: readNonEmptyString(object, 'role', path),
    mediaType: readNonEmptyString(object, 'mediaType', path),
    size: readInteger(object, 'size', path, 0),
    sha256: readSha256Hex(object, 'sha256', path),
  };
}

/** A short lowercase word like `deleted` or `account-suspended`: nothing a reader could misread. */
function readToken(object: Record<string, unknown>, key: string): string {
  const value = readNonEmptyString(object, key, '');
  if (!/^[a-z][a-z0-9-]{0,63}$/.test(value))
    throw formatError(key, 'expected a lowercase word like "deleted"');
  return value;
}

/** Checks every field of an entry-shaped value and returns it in canonical shape (artifacts in order). */
function readEntry(value: unknown, requireSortedArtifacts: boolean): LogEntry {
  const object = readObject(value, 'log entry');
  checkKeys(object, ENTRY_KEYS, '');
  if (object.v !== LOG_ENTRY_VERSION) {
    throw formatError('v', `unsupported log entry version ${JSON.stringify(object.v)} (expected 1)`);
  }
  const type = object.type;
  if (typeof type !== 'string' || !(LOG_ENTRY_TYPES as readonly string[]).includes(type)) {
    throw formatError('type', `expected one of ${LOG_ENTRY_TYPES.join(', ')}`);
  }
  const artifacts = readArray(object, 'artifacts', '').map((item, i) =>
    readArtifact(item, join('artifacts', i)),
  );
  const sorted = [...artifacts].sort(compareArtifacts);
  if (requireSortedArtifacts && artifacts.some((artifact, i) => artifact !== sorted[i])) {
    throw formatError('artifacts', 'not in canonical order (role, sha256, mediaType, size)');
  }
  if (type === 'observation' && object.status === undefined)
    throw formatError('status', 'missing (an observation names the status observed)');
  if (type !== 'observation' && (object.status !== undefined || object.reason !== undefined)) {
    throw formatError(object.status !== undefined ? 'status' : 'reason', `not allowed in a ${type} entry`);
  }
  if (type === 'quotation' && (object.recordSha256 === undefined || object.version !== undefined)) {
    throw formatError(
      object.version !== undefined ? 'version' : 'recordSha256',
      object.version !== undefined
        ? 'not allowed in a quotation entry'
        : 'missing (a quotation names its claim)',
    );
  }
  if (type === 'media') {
    for (const key of ['version', 'recordSha256'] as const)
      if (object[key] === undefined)
        throw formatError(key, 'missing (a media entry names the version it belongs to)');
    if (artifacts.length === 0) throw formatError('artifacts', 'empty (a media entry names the file)');
  }
  const origin = readNonEmptyString(object, 'origin', '');
  if (CONTROL.test(origin)) throw formatError('origin', 'contains a control character');
  return {
    v: LOG_ENTRY_VERSION,
    type: type as LogEntryType,
    statementId: readNonEmptyString(object, 'statementId', ''),
    ...(object.version !== undefined ? { version: readInteger(object, 'version', '', 1) } : {}),
    ...(object.recordSha256 !== undefined ? { recordSha256: readSha256Hex(object, 'recordSha256', '') } : {}),
    ...(object.status !== undefined ? { status: readToken(object, 'status') } : {}),
    ...(object.reason !== undefined ? { reason: readToken(object, 'reason') } : {}),
    artifacts: sorted,
    capturedAt: readUtcTimestamp(object, 'capturedAt', ''),
    origin,
  };
}

/** The exact entry bytes for these fields (artifacts are put in canonical order). Throws LedgerFormatError. */
export function buildLogEntry(fields: LogEntryFields): Uint8Array {
  const entry = readEntry({ ...fields, v: LOG_ENTRY_VERSION }, false);
  return jcsBytes(entry, 'log entry');
}

/**
 * Parses entry bytes strictly: valid UTF-8 JSON, every field well-typed, no unknown field, artifacts in
 * canonical order, and the bytes exactly the JCS form of the result (so one entry has exactly one encoding,
 * and duplicate keys, whitespace or escapes that JSON.parse would hide are refused).
 */
export function parseLogEntry(bytes: Uint8Array): LogEntry {
  let text: string;
  try {
    text = fromUtf8(bytes);
  } catch {
    throw new LedgerFormatError('log entry is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new LedgerFormatError('log entry is not JSON');
  }
  const entry = readEntry(value, true);
  if (!bytesEqual(jcsBytes(entry, 'log entry'), bytes)) {
    throw new LedgerFormatError('log entry bytes are not the canonical (RFC 8785) form of its content');
  }
  return entry;
}
