/**
 * Offline verification of an evidence bundle. The checks run in a fixed order and stop at the first failure,
 * so a report names exactly what broke; on success the report says, in plain words, what is proven and what
 * is not. No network, no database: only the bundle and the trust anchors the caller pins.
 */
import { bytesEqual, fromBase64, toHex, utf8 } from '../bytes';
import { type Checkpoint, parseCheckpoint } from '../checkpoint';
import { sha256 } from '../crypto';
import { LedgerFormatError, NoteVerificationError } from '../errors';
import { leafHash, verifyInclusion } from '../merkle';
import {
  type NoteVerifier,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
  keyIdHex,
  openNoteAsync,
  parseNote,
} from '../note';
import { parseVerifierKey } from '../verifier-key';
import { type EvidenceArtifact, type EvidenceBundle, parseEvidenceBundle, sha256Hex } from './bundle';
import { type EvidenceRemark, stripByteOrderMark } from './bundle-text';
import { characterCount, escapeHidden, firstCharacters, grouped, quoted, shown } from './display';
import { type JsonObject, type JsonValue, jcsBytes } from './fields';
import { describeHistoryGap } from './history-gap';
import {
  type ArtifactReference,
  type LogEntry,
  type LogEntryType,
  compareArtifacts,
  parseLogEntry,
} from './log-entry';

export const EVIDENCE_CHECKS = [
  'bundle-format',
  'record-hash',
  'leaf-contents',
  'artifact-bodies',
  'platform-signature',
  'checkpoint-signature',
  'inclusion-proof',
  'timestamps',
  'cosignatures',
] as const;
export type EvidenceCheckName = (typeof EVIDENCE_CHECKS)[number];

export interface EvidenceCheck {
  readonly name: EvidenceCheckName;
  readonly ok: boolean;
  readonly detail: string;
  /** True when the check could not be made (no trust anchors given): it neither passed nor failed. */
  readonly skipped?: boolean;
  /**
   * True when the bundle holds nothing for this check (no platform signature, no timestamp token, no other
   * signature on the checkpoint): nothing is proven by it, and nothing failed.
   */
  readonly absent?: boolean;
}

/** What a verified RFC 3161 token says; the verifier rejects (throws) when the token does not verify. */
export interface TimestampVerification {
  readonly genTime: Date;
  /** The signer's name as the token's certificate gives it, if known. */
  readonly signer?: string;
}

/** Verifies a TimeStampToken (DER) whose message imprint must be `digest` (SHA-256); rejects if it fails. */
export type TimestampVerifier = (tokenDer: Uint8Array, digest: Uint8Array) => Promise<TimestampVerification>;

/** What a platform proof checker is given: the bundle's record and the artifact bodies it includes. */
export interface PlatformProofInput {
  readonly record: JsonObject;
  readonly artifacts: readonly {
    readonly role: string;
    readonly mediaType: string;
    readonly bytes: Uint8Array;
  }[];
}

/** A platform proof that holds: a line for the check, and what it proves in plain words. */
export interface PlatformProofResult {
  readonly detail: string;
  readonly proven: string;
}

/**
 * Checks the platform's own signature carried in a bundle (an AT Protocol record proof, say) against the
 * record. Answers null when it does not know the record's platform; throws an Error whose message names what
 * does not hold. Given by the caller, so that the ledger needs no platform's code.
 */
export type PlatformProofChecker = (input: PlatformProofInput) => Promise<PlatformProofResult | null>;

/** The artifact role of a platform's own proof of a record (as ARTIFACT_ROLES.recordProof names it). */
export const RECORD_PROOF_ROLE = 'record-proof';

export interface VerifyEvidenceOptions {
  /** Checks a platform's own signature on the record, where the bundle carries one (`record-proof`). */
  readonly platformProof?: PlatformProofChecker;
  /** The log's verifier key, obtained out of band. Without it the bundle's own key is used (not pinned). */
  readonly logKey?: string;
  /** Checks timestamp tokens against the caller's trusted TSA certificates; without it they are not checked. */
  readonly timestampVerifier?: TimestampVerifier;
  /** Witness verifier keys whose cosignatures must all be on the checkpoint. */
  readonly witnessKeys?: readonly string[];
}

/** One line of what the bundle holds: "Platform: mastodon". */
export interface EvidenceContentLine {
  readonly label: string;
  /** Untrusted text comes escaped (see display.ts): no line break or control in it reaches the reader as itself. */
  readonly value: string;
}

/**
 * What was verified, for the reader to see: a version's record (platform, account, URL, times, version, text), or
 * an observation (what was asked, what answered, when). Shown apart from the checks, under `heading`, which says
 * what covers these lines.
 */
export interface EvidenceContent {
  readonly kind: 'record' | 'observation';
  readonly heading: string;
  readonly lines: readonly EvidenceContentLine[];
}

/** The most of a record's text a report quotes; a longer text is cut here, with its full length said. */
export const CONTENT_TEXT_MAX_CHARACTERS = 1000;
/** The most of a platform's answer (an observation's response body) a report quotes. */
export const ANSWER_BODY_MAX_CHARACTERS = 300;

export interface EvidenceReport {
  readonly ok: boolean;
  /** The checks that ran, in order; when `ok` is false the last one is the failure. */
  readonly checks: readonly EvidenceCheck[];
  readonly failedCheck?: EvidenceCheckName;
  readonly proven: readonly string[];
  readonly notProven: readonly string[];
  /**
   * What the archive says beside the signed record (its `historyGap` note), once the bundle is well-formed:
   * shown for the reader, never checked, and no part of `proven`, whatever the other checks found.
   */
  readonly notes: readonly string[];
  /**
   * The verifier's own remarks about its input, apart from the checks, whatever they found: how the input was
   * read (a byte-order mark removed) and what is off in it without failing a check (a `logKey` field that is not
   * the pinned key). Neither proven nor failed.
   */
  readonly remarks: readonly EvidenceRemark[];
  /** What was verified, once every check passed (a version's record, an observation); absent otherwise. */
  readonly content?: EvidenceContent;
  /** The earliest independently attested time (timestamp genTime or witness cosignature time). */
  readonly capturedNoLaterThan?: Date;
  /** What attests `capturedNoLaterThan`. */
  readonly capturedNoLaterThanBy?: string;
  /** True when the checkpoint signature was checked against a key the caller pinned. */
  readonly keyPinned: boolean;
  readonly origin?: string;
  readonly entry?: LogEntry;
}

class CheckFailure extends Error {}

function fail(message: string): never {
  throw new CheckFailure(message);
}

interface Attestation {
  readonly time: Date;
  readonly by: string;
}

function iso(date: Date): string {
  return date.toISOString();
}

function describeArtifact(artifact: ArtifactReference): string {
  return `${artifact.role} (${artifact.mediaType}, ${artifact.size} bytes, sha256 ${artifact.sha256})`;
}

/** How each kind of entry's event is named: "Observed no later than …", "When the observation was made: …". */
const EVENTS: Record<LogEntryType, { readonly done: string; readonly when: string }> = {
  snapshot: { done: 'Captured', when: 'When the capture happened' },
  observation: { done: 'Observed', when: 'When the observation was made' },
  quotation: { done: 'Read', when: 'When the document was read' },
  media: { done: 'Downloaded', when: 'When the file was downloaded' },
};

/** "these 2 artifacts" / "this 1 artifact" / "no artifact". */
function artifactCount(count: number): string {
  return count === 0 ? 'no artifact' : count === 1 ? 'this 1 artifact' : `these ${count} artifacts`;
}

/** What the leaf is and names, in the words of what the bundle holds (an observation names no record). */
function describeLeaf(bundle: EvidenceBundle, entry: LogEntry): string {
  const version = entry.version !== undefined ? `, version ${entry.version}` : '';
  const what =
    entry.type === 'observation'
      ? `observation of statement ${entry.statementId}, seen ${entry.status}${entry.reason !== undefined ? ` (${entry.reason})` : ''}`
      : `${entry.type} of statement ${entry.statementId}${version}`;
  const record =
    bundle.recordSha256 === null
      ? 'no record (the bundle holds none)'
      : bundle.record === null
        ? `record ${bundle.recordSha256} (withheld from this bundle)`
        : 'this record';
  return `the leaf (${what}) names ${record} and ${artifactCount(entry.artifacts.length)}`;
}

/** True when two verifier keys are the same key: name, type, key ID and public key. */
function compareLogKeys(a: NoteVerifier, b: NoteVerifier): boolean {
  return (
    a.name === b.name && a.type === b.type && a.keyId === b.keyId && bytesEqual(a.publicKey, b.publicKey)
  );
}

/**
 * A warning when a key is pinned and the bundle's `logKey` is another key, or none: the field is informational
 * and never used then, but a reader should know the bundle names a key other than the one they trust (another
 * log, a log that changed its key, or a bundle edited). Nothing when no key is pinned or the pinned key is
 * invalid (the signature check says so).
 */
function logKeyRemarks(bundleKey: string, pinnedKey: string | undefined): EvidenceRemark[] {
  if (pinnedKey === undefined) return [];
  let pinned: NoteVerifier;
  try {
    pinned = parseVerifierKey(pinnedKey.trim());
  } catch {
    return [];
  }
  const unused =
    'The field is informational and was not used: the checkpoint signature is checked against the key you pinned, and only against it.';
  let own: NoteVerifier;
  try {
    own = parseVerifierKey(bundleKey.trim());
  } catch (error) {
    const why =
      bundleKey.trim() === ''
        ? 'it is empty'
        : `${(error as Error).message}: ${quoted(firstCharacters(bundleKey, 300))}`;
    return [
      { level: 'warning', text: `The bundle's logKey field is not a valid verifier key (${why}). ${unused}` },
    ];
  }
  if (compareLogKeys(pinned, own)) return [];
  return [
    {
      level: 'warning',
      text: `The bundle's logKey field names another key than the one you pinned: the bundle says ${shown(firstCharacters(bundleKey.trim(), 300))}, you pinned ${pinnedKey.trim()}. ${unused} A bundle naming another key may come from another log or from before the log changed its key, or have been edited: ask the log's operator which key it published.`,
    },
  ];
}

function sameArtifact(a: ArtifactReference, b: ArtifactReference): boolean {
  return a.role === b.role && a.mediaType === b.mediaType && a.size === b.size && a.sha256 === b.sha256;
}

/** Verifies `input` (a bundle as JSON text, a parsed value, or an EvidenceBundle). Never throws for bad evidence. */
export async function verifyEvidenceBundle(
  input: unknown,
  options: VerifyEvidenceOptions = {},
): Promise<EvidenceReport> {
  const keyPinned = options.logKey !== undefined;
  const remarks: EvidenceRemark[] = [];
  if (typeof input === 'string') {
    // a byte-order mark is no part of the JSON (an editor's, not the archive's): read through it, and say so
    const read = stripByteOrderMark(input);
    input = read.text;
    remarks.push(...read.remarks);
  }
  const checks: EvidenceCheck[] = [];
  const proven: string[] = [];
  const notProven: string[] = [];
  const attestations: Attestation[] = [];
  let witnessed = 0;
  let platformSigned = false;

  // State filled in by the checks, in order.
  let bundle = undefined as unknown as EvidenceBundle;
  let leaf: Uint8Array = new Uint8Array();
  let entry = undefined as unknown as LogEntry;
  let checkpoint = undefined as unknown as Checkpoint;
  let logVerifier = undefined as unknown as NoteVerifier;
  let noteText = '';

  const steps: Record<
    EvidenceCheckName,
    () => Promise<{ detail: string; skipped?: boolean; absent?: boolean }>
  > = {
    'bundle-format': async () => {
      bundle = parseEvidenceBundle(input);
      leaf = fromBase64(bundle.leaf);
      remarks.push(...logKeyRemarks(bundle.logKey, options.logKey));
      return { detail: `a well-formed ${bundle.format} bundle from ${bundle.origin}` };
    },

    'record-hash': async () => {
      if (bundle.record === null) {
        if (bundle.recordSha256 === null)
          return { detail: 'the bundle carries no record and names none', absent: true };
        notProven.push(
          `The content of the record: it is withheld from this bundle; only its SHA-256 (${bundle.recordSha256}) is committed to.`,
        );
        return { detail: `record withheld; only its hash ${bundle.recordSha256} is given`, skipped: true };
      }
      if (bundle.recordSha256 === null) fail('the bundle has a record but no recordSha256');
      const actual = sha256Hex(jcsBytes(bundle.record, 'record'));
      if (actual !== bundle.recordSha256) {
        fail(
          `SHA-256 of the RFC 8785 bytes of the record is ${actual}, but recordSha256 is ${bundle.recordSha256}`,
        );
      }
      return { detail: `SHA-256(JCS(record)) = ${actual}` };
    },

    'leaf-contents': async () => {
      try {
        entry = parseLogEntry(leaf);
      } catch (error) {
        fail(`the leaf is not a valid log entry: ${(error as Error).message}`);
      }
      const named = entry.recordSha256 ?? null;
      if (named !== bundle.recordSha256) {
        fail(
          `the leaf names ${named === null ? 'no record' : `record ${named}`}, the bundle's recordSha256 is ${bundle.recordSha256 ?? 'null'}`,
        );
      }
      const listed = [...bundle.artifacts].sort(compareArtifacts);
      for (const artifact of listed) {
        if (!entry.artifacts.some((named) => sameArtifact(named, artifact))) {
          fail(`the bundle lists artifact ${describeArtifact(artifact)}, which the leaf does not name`);
        }
      }
      for (const artifact of entry.artifacts) {
        if (!listed.some((item) => sameArtifact(item, artifact))) {
          fail(`the leaf names artifact ${describeArtifact(artifact)}, which the bundle does not list`);
        }
      }
      if (listed.length !== entry.artifacts.length) {
        fail(`the leaf names ${entry.artifacts.length} artifacts, the bundle lists ${listed.length}`);
      }
      return { detail: describeLeaf(bundle, entry) };
    },

    'artifact-bodies': async () => {
      const included = bundle.artifacts.filter((artifact) => artifact.body !== undefined);
      for (const artifact of included) {
        const body = fromBase64(artifact.body as string);
        if (body.length !== artifact.size) {
          fail(`the body of ${describeArtifact(artifact)} is ${body.length} bytes`);
        }
        const actual = sha256Hex(body);
        if (actual !== artifact.sha256) fail(`the body of ${describeArtifact(artifact)} hashes to ${actual}`);
      }
      const withheld = bundle.artifacts.length - included.length;
      if (bundle.artifacts.length === 0)
        return { detail: 'the leaf names no artifact, so there is no body to check' };
      return {
        detail:
          `${included.length} of ${bundle.artifacts.length} artifact bodies included, each matching its size and SHA-256` +
          (withheld > 0 ? `; ${withheld} withheld (digest only)` : ''),
      };
    },

    'platform-signature': async () => {
      const proofs = bundle.artifacts.filter((artifact) => artifact.role === RECORD_PROOF_ROLE);
      if (proofs.length === 0) {
        const none =
          bundle.recordSha256 === null
            ? `the bundle carries no platform signature (${entry.type === 'observation' ? 'an observation' : 'this entry'} has no record to sign)`
            : 'the bundle carries no platform signature of the record';
        return { detail: none, absent: true };
      }
      const platform = String(bundle.record?.platform ?? 'unknown');
      if (bundle.record === null || proofs.some((proof) => proof.body === undefined)) {
        notProven.push(
          `That ${platform} signed the record: its proof is ${bundle.record === null ? 'there but the record is withheld' : 'withheld from this bundle'}.`,
        );
        return { detail: 'a platform proof is named but not included with its record', skipped: true };
      }
      const unchecked = (why: string) => {
        notProven.push(`That ${platform} signed the record: the bundle carries its proof, but ${why}.`);
        return { detail: `platform proof present, not checked: ${why}`, skipped: true };
      };
      if (options.platformProof === undefined) return unchecked('no platform proof checker was given');
      const artifacts = bundle.artifacts.flatMap((artifact) =>
        artifact.body === undefined
          ? []
          : [{ role: artifact.role, mediaType: artifact.mediaType, bytes: fromBase64(artifact.body) }],
      );
      let result: PlatformProofResult | null;
      try {
        result = await options.platformProof({ record: bundle.record, artifacts });
      } catch (error) {
        fail(`the ${platform} proof of the record does not hold: ${(error as Error).message}`);
      }
      if (result === null) return unchecked(`this verifier cannot check proofs of ${platform}`);
      platformSigned = true;
      proven.push(result.proven);
      return { detail: result.detail };
    },

    'checkpoint-signature': async () => {
      const keyText = options.logKey ?? bundle.logKey;
      let verifier;
      try {
        verifier = parseVerifierKey(keyText.trim());
      } catch (error) {
        fail(`the ${keyPinned ? 'pinned' : "bundle's"} log key is invalid: ${(error as Error).message}`);
      }
      if (verifier.type !== SIGNATURE_TYPE_ED25519) {
        fail(`the log key must be an Ed25519 note key (type 0x01), got type 0x${verifier.type.toString(16)}`);
      }
      logVerifier = verifier;
      const keyName = `${verifier.name}+${keyIdHex(verifier.keyId)}`;
      try {
        noteText = (await openNoteAsync(bundle.checkpoint, [verifier])).text;
      } catch (error) {
        if (error instanceof NoteVerificationError && /no signature from a known key/.test(error.message)) {
          fail(`the checkpoint carries no signature by ${keyName}`);
        }
        if (error instanceof NoteVerificationError)
          fail(`the checkpoint signature by ${keyName} does not verify`);
        fail(`the checkpoint is not a valid signed note: ${(error as Error).message}`);
      }
      try {
        checkpoint = parseCheckpoint(noteText);
      } catch (error) {
        fail(`the signed note is not a valid checkpoint: ${(error as Error).message}`);
      }
      if (checkpoint.origin !== bundle.origin) {
        fail(`the checkpoint's origin is ${checkpoint.origin}, the bundle's is ${bundle.origin}`);
      }
      if (entry.origin !== checkpoint.origin) {
        fail(`the leaf was written for origin ${entry.origin}, the checkpoint is from ${checkpoint.origin}`);
      }
      // a log's key is named for its origin (C2SP tlog-checkpoint): the key is what ties the checkpoint to the log
      if (checkpoint.origin !== verifier.name) {
        fail(
          `the checkpoint is for origin ${checkpoint.origin}, but the key that signed it is the log key of ${verifier.name}`,
        );
      }
      let sameKey = false;
      try {
        sameKey = compareLogKeys(verifier, parseVerifierKey(bundle.logKey.trim()));
      } catch {
        // not a key at all: it differs, as the warning says
      }
      const ignored = keyPinned && !sameKey ? " (the bundle's own logKey differs and was ignored)" : '';
      return {
        detail: `signed by ${keyName}, ${keyPinned ? 'the pinned key' : "the bundle's own key (NOT PINNED)"}${ignored}; origin ${checkpoint.origin}, tree size ${checkpoint.size}`,
      };
    },

    'inclusion-proof': async () => {
      if (bundle.treeSize !== checkpoint.size) {
        fail(
          `the bundle's treeSize is ${bundle.treeSize}, but the checkpoint is for a tree of size ${checkpoint.size}`,
        );
      }
      const hash = leafHash(leaf);
      try {
        verifyInclusion(
          hash,
          bundle.leafIndex,
          bundle.treeSize,
          bundle.inclusionProof.map(fromBase64),
          checkpoint.rootHash,
        );
      } catch (error) {
        fail((error as Error).message);
      }
      return {
        detail: `leaf hash ${toHex(hash)} is entry ${bundle.leafIndex} of the tree of size ${bundle.treeSize} the checkpoint signs`,
      };
    },

    timestamps: async () => {
      const count = bundle.timestamps.length;
      if (count === 0) return { detail: 'the bundle carries no timestamp token', absent: true };
      if (options.timestampVerifier === undefined) {
        notProven.push(
          `The times in the ${count} RFC 3161 timestamp token(s) (${bundle.timestamps.map((t) => t.tsa).join(', ')}): they were not checked, because no trusted TSA certificate was given.`,
        );
        return {
          detail: `${count} token(s) present but not checked (no trusted TSA certificates given)`,
          skipped: true,
        };
      }
      const digest = sha256(utf8(noteText));
      const times: string[] = [];
      for (const { tsa, token } of bundle.timestamps) {
        let result: TimestampVerification;
        try {
          result = await options.timestampVerifier(fromBase64(token), digest);
        } catch (error) {
          fail(`the timestamp token from ${tsa} does not verify: ${(error as Error).message}`);
        }
        const by = `RFC 3161 token from ${tsa}${result.signer !== undefined ? ` (signed by ${result.signer})` : ''}`;
        attestations.push({ time: result.genTime, by });
        proven.push(`The checkpoint existed no later than ${iso(result.genTime)} (${by}).`);
        times.push(`${tsa} at ${iso(result.genTime)}`);
      }
      return {
        detail: `each token covers SHA-256 of the checkpoint text ${toHex(digest)}: ${times.join('; ')}`,
      };
    },

    cosignatures: async () => {
      const others = parseNote(bundle.checkpoint).signatures.length - 1;
      const keys = options.witnessKeys ?? [];
      if (keys.length === 0) {
        if (others > 0) {
          notProven.push(
            `That the ${others} other signature(s) on the checkpoint are genuine witness cosignatures: no witness key was given to check them.`,
          );
        }
        if (others === 0) return { detail: 'the checkpoint carries no witness cosignature', absent: true };
        return {
          detail: `${others} other signature(s) on the checkpoint, not checked (no witness keys given)`,
          skipped: true,
        };
      }
      const times: string[] = [];
      const counted = new Set<string>();
      for (const key of keys) {
        let verifier;
        try {
          verifier = parseVerifierKey(key.trim());
        } catch (error) {
          fail(`witness key ${key} is invalid: ${(error as Error).message}`);
        }
        const name = `${verifier.name}+${keyIdHex(verifier.keyId)}`;
        if (verifier.type !== SIGNATURE_TYPE_COSIGNATURE_V1) {
          fail(
            `witness key ${name} is not a witness key: a witness cosigns with type 0x04 (cosignature/v1), this key is type 0x${verifier.type.toString(16).padStart(2, '0')}`,
          );
        }
        // the log vouching for itself under another signature type proves no second party saw the checkpoint
        if (bytesEqual(verifier.publicKey, logVerifier.publicKey)) {
          fail(`witness key ${name} is the log's own key: a witness must be another party`);
        }
        if (counted.has(name)) continue;
        counted.add(name);
        let timestamp: number | undefined;
        try {
          timestamp = (await openNoteAsync(bundle.checkpoint, [verifier])).verified[0].timestamp;
        } catch (error) {
          if (error instanceof NoteVerificationError && /no signature from a known key/.test(error.message)) {
            fail(`the checkpoint carries no cosignature by witness ${name}`);
          }
          fail(`the cosignature by witness ${name} does not verify`);
        }
        if (timestamp === undefined) {
          witnessed++;
          proven.push(`Witness ${name} signed the checkpoint (its signature type carries no time).`);
          times.push(`${name} (no time)`);
          continue;
        }
        witnessed++;
        const time = new Date(timestamp * 1000);
        attestations.push({ time, by: `cosignature by witness ${name}` });
        proven.push(`Witness ${name} cosigned the checkpoint at ${iso(time)}.`);
        times.push(`${name} at ${iso(time)}`);
      }
      return { detail: `${counted.size} witness cosignature(s) verify: ${times.join('; ')}` };
    },
  };

  for (const name of EVIDENCE_CHECKS) {
    try {
      const { detail, skipped, absent } = await steps[name]();
      checks.push({ name, ok: true, detail, ...(skipped && { skipped }), ...(absent && { absent }) });
    } catch (error) {
      // Our own failures and format errors speak for themselves; anything else keeps its class name.
      const detail =
        error instanceof CheckFailure || error instanceof LedgerFormatError
          ? error.message
          : `${(error as Error).name}: ${(error as Error).message}`;
      checks.push({ name, ok: false, detail });
      return {
        ok: false,
        checks,
        failedCheck: name,
        proven: [],
        notProven: [`Nothing: the check "${name}" failed (${detail}).`],
        notes: unsignedNotes(bundle, entry),
        remarks,
        keyPinned,
        ...(bundle !== undefined ? { origin: bundle.origin } : {}),
      };
    }
  }

  const earliest = [...attestations].sort((a, b) => a.time.getTime() - b.time.getTime())[0];
  proven.unshift(...successStatements(bundle, entry, keyPinned, options.logKey));
  const event = EVENTS[entry.type];
  if (earliest !== undefined) {
    proven.push(`${event.done} no later than ${iso(earliest.time)} (${earliest.by}), and unchanged since.`);
  } else {
    notProven.push(
      `${event.when}: no timestamp token or witness cosignature was verified, so the time is only the log's own claim (capturedAt ${entry.capturedAt} in the leaf, vouched for by the log's signature).`,
    );
  }
  notProven.unshift(...standingLimits(bundle, entry, keyPinned, witnessed > 0, platformSigned));
  const contradicted = earliest !== undefined && earliest.time.getTime() < Date.parse(entry.capturedAt);
  if (contradicted) {
    notProven.unshift(
      `The log's ${entry.type === 'observation' ? 'observation' : 'capture'} time: the leaf says capturedAt ${entry.capturedAt}, but the ${earliest.by} attests the checkpoint holding it existed at ${iso(earliest.time)}, earlier. The log's clock or its claim is wrong; only the attested time holds.`,
    );
  }
  const content = describeContent(bundle, entry);
  return {
    ok: true,
    checks,
    proven,
    notProven,
    notes: unsignedNotes(bundle, entry),
    remarks,
    ...(content !== undefined ? { content } : {}),
    ...(earliest !== undefined
      ? { capturedNoLaterThan: earliest.time, capturedNoLaterThanBy: earliest.by }
      : {}),
    keyPinned,
    origin: bundle.origin,
    entry,
  };
}

/** The archive's own notes in a parsed bundle (none before it parses); the entry, once read, names the version. */
function unsignedNotes(bundle: EvidenceBundle | undefined, entry: LogEntry | undefined): string[] {
  if (bundle?.historyGap === undefined) return [];
  return [describeHistoryGap(bundle.historyGap, entry?.version)];
}

function successStatements(
  bundle: EvidenceBundle,
  entry: LogEntry,
  keyPinned: boolean,
  pinnedKey: string | undefined,
): string[] {
  const out =
    entry.type === 'observation'
      ? observationStatements(bundle, entry)
      : entry.type === 'quotation'
        ? quotationStatements(bundle, entry)
        : entry.type === 'media'
          ? [
              `A media file of statement ${entry.statementId}, version ${entry.version} (record ${entry.recordSha256}) was downloaded by ${bundle.origin} and included in its log at index ${bundle.leafIndex}; the log signed a checkpoint (tree size ${bundle.treeSize}) committing to it.`,
            ]
          : [
              `This record (statement ${entry.statementId}${entry.version !== undefined ? `, version ${entry.version}` : ''}) was captured by ${bundle.origin} and included in its log at index ${bundle.leafIndex}; the log signed a checkpoint (tree size ${bundle.treeSize}) committing to it.`,
            ];
  if (bundle.record !== null) {
    out.push(
      `The record is byte for byte what was logged: its RFC 8785 form hashes to ${bundle.recordSha256}, the hash the log entry names.`,
    );
  }
  const bodies = bundle.artifacts.filter((artifact) => artifact.body !== undefined);
  if (bodies.length > 0) {
    out.push(
      `The ${bodies.length} included artifact(s) are the exact bytes the log entry names: ${bodies.map(describeArtifact).join('; ')}.`,
    );
  }
  out.push(
    keyPinned
      ? `The checkpoint signature was checked against the log key you pinned (${pinnedKey?.trim()}).`
      : `The checkpoint signature verifies with the key inside the bundle (${bundle.logKey}), which is NOT PINNED.`,
  );
  out.push(
    entry.type === 'observation'
      ? `The log claims the observation was made at ${entry.capturedAt}.`
      : entry.type === 'quotation'
        ? `The log claims the document was read at ${entry.capturedAt}.`
        : entry.type === 'media'
          ? `The log claims the file was downloaded at ${entry.capturedAt}.`
          : `The log claims the capture happened at ${entry.capturedAt}.`,
  );
  return out;
}

/** "A document … claims that @handle on x wrote …": what a quotation entry and its record show. */
function quotationStatements(bundle: EvidenceBundle, entry: LogEntry): string[] {
  const record = bundle.record;
  const document = entry.artifacts.find((artifact) => artifact.role === 'source-document');
  const from = document ? `the document with SHA-256 ${document.sha256}` : 'a document';
  const out = [
    `A quotation (quoted statement ${entry.statementId}) read by ${bundle.origin} from ${from} is entry ${bundle.leafIndex} of its log, and the log signed a checkpoint (tree size ${bundle.treeSize}) committing to it.`,
  ];
  if (record === null) return out;
  const who = `@${String(record.handle)} on ${String(record.platform)}`;
  const when = typeof record.date === 'string' ? ` on ${record.date}` : '';
  const where =
    typeof record.sourceUrl === 'string'
      ? `, published at ${record.sourceUrl} (as whoever gave it said),`
      : '';
  out.push(
    typeof record.text === 'string'
      ? `The document${where} claims that ${who} wrote${when}: ${JSON.stringify(record.text.slice(0, 500))}${record.text.length > 500 ? ' (cut here)' : ''}.`
      : `The document${where} names the post ${String(record.postUrl)} by ${who} and prints none of its words (a link-only quote).`,
  );
  return out;
}

/** "The log shows that … observed this statement as deleted at T; the platform's answer is included (HTTP 404 …)". */
function observationStatements(bundle: EvidenceBundle, entry: LogEntry): string[] {
  const why = entry.reason !== undefined ? ` (${entry.reason})` : '';
  const out = [
    `The log shows that ${bundle.origin} observed statement ${entry.statementId} as ${entry.status}${why} at ${entry.capturedAt}: the observation is entry ${bundle.leafIndex} of its log, and the log signed a checkpoint (tree size ${bundle.treeSize}) committing to it.`,
  ];
  const answers = platformAnswers(bundle);
  if (answers.length > 0) {
    out.push(`The platform's answer is included: ${answers.join('; ')}.`);
  } else if (entry.artifacts.length === 0) {
    out.push(
      'No platform answer is attached to this observation (it records what the platform showed by its content).',
    );
  }
  return out;
}

/** The status lines of the included response heads ("HTTP/1.1 404 Not Found"), what a reader recognises. */
function platformAnswers(bundle: EvidenceBundle): string[] {
  return bundle.artifacts
    .filter((artifact) => artifact.role === 'response-head' && artifact.body !== undefined)
    .map((artifact) => {
      const head = new TextDecoder().decode(fromBase64(artifact.body as string));
      // the platform's words (or a bundle maker's): no control in them reaches the reader as itself
      return escapeHidden(head.split(/\r?\n/, 1)[0].slice(0, 200));
    });
}

function standingLimits(
  bundle: EvidenceBundle,
  entry: LogEntry,
  keyPinned: boolean,
  witnessed: boolean,
  platformSigned: boolean,
): string[] {
  const out: string[] = [];
  if (!keyPinned) {
    out.push(
      "THE LOG KEY WAS NOT PINNED: the signature was checked with the key the bundle itself carries, which whoever made the bundle could have chosen. Obtain the log's published key independently and verify again with it.",
    );
  }
  const platform = bundle.record?.platform;
  const unsigned =
    platform === 'mastodon'
      ? ' (Mastodon does not sign the content it serves)'
      : platform === 'feed'
        ? ' (RSS and Atom feeds are not signed)'
        : platform === 'x'
          ? ' (X does not sign the posts it serves)'
          : '';
  const quotation = bundle.record?.kind === 'quotation';
  const via = bundle.record?.via;
  if (typeof via === 'string') {
    out.push(
      `The record says it was read through ${via}, a public embed endpoint, not the platform's API: a lower grade of evidence (undocumented, changed before, and it may cut long texts).`,
    );
  }
  out.push(
    quotation
      ? `That the quoted account wrote this, or that the platform ever served it: a quotation is what a secondary source claimed (evidence level "quoted"), kept with the document it was read from. Only a capture of the original post shows what the platform served.`
      : platformSigned
        ? `Anything beyond the signed record: the platform's other bytes (counts, display names, handles) are what ${bundle.origin} captured, not signed by the account.`
        : entry.type === 'observation' && entry.artifacts.length === 0
          ? `That the platform really showed the statement as ${entry.status}: no answer of it is attached, so this is what ${bundle.origin} logged at ${entry.capturedAt}, on its own word. Independent captures by other archives are the cross-check.`
          : entry.type === 'observation'
            ? `That the platform really gave this answer: its answers are not signed, so this proves what ${bundle.origin} logged as the platform's answer at ${entry.capturedAt}, not what the platform said. Independent captures by other archives are the cross-check.`
            : `That the platform actually served these bytes${unsigned}: this proves what ${bundle.origin} captured and logged, not what the platform published. Independent captures by other archives are the cross-check.`,
  );
  out.push(...readingLimits(bundle, entry));
  const withheld = bundle.artifacts.filter((artifact) => artifact.body === undefined);
  if (withheld.length > 0) {
    out.push(
      `The content of ${withheld.length} artifact(s) not included in this bundle (${withheld.map((a) => a.role).join(', ')}): only their digests are committed to.`,
    );
  }
  if (!witnessed) {
    out.push(
      'That the log showed everyone the same history (no split view): no witness cosignature was verified. A newer checkpoint with a consistency proof, or witness keys, would show it.',
    );
  }
  return out;
}

/**
 * The limits docs/evidence.md §5 lists that no check can lift: the record (or the status) is the archive's
 * reading of the bytes it was given, and a bundle shows one version or one observation, not all of them.
 */
function readingLimits(bundle: EvidenceBundle, entry: LogEntry): string[] {
  const record = bundle.record;
  const out: string[] = [];
  if (entry.type === 'observation') {
    out.push(
      `That "${entry.status}" is the right reading of what the platform showed: the status is the archive's reading of it; ${
        bundle.artifacts.some((artifact) => artifact.body !== undefined)
          ? 'the answer included is there to check the reading against.'
          : 'no answer is included here to check the reading against.'
      }`,
      `When the statement became ${entry.status}: the observation shows it ${entry.status} at ${entry.capturedAt}, not since when. The change may have come at any time after the archive's previous look at it, which this bundle does not show.`,
    );
    return out;
  }
  if (entry.type === 'quotation') {
    if (record !== null) {
      out.push(
        "That the document says this: the claim is the archive's reading of the document, which is the bundle's artifact to check it against.",
      );
    }
    return out;
  }
  if (entry.type !== 'snapshot') return out;
  if (record !== null) {
    const parser =
      typeof record.parserVersion === 'string' ? ` (parserVersion ${shown(record.parserVersion)})` : '';
    out.push(
      `That the parser read the platform's bytes right: the record is the archive's reading of the captured bytes${parser}. Re-run the published parser on the artifact bodies to check it (docs/evidence.md §5).`,
    );
  }
  const which = entry.version !== undefined ? `version ${entry.version}` : 'this version';
  // the same words with or without the archive's unsigned historyGap: a note no check covers changes nothing here
  out.push(
    `That the archive holds every version of the statement: this bundle shows that ${which} was logged, not that no other version existed or that the archive saw every edit. A historyGap note, where there is one, is the archive's unsigned word, and a bundle without one does not show that no version is missing (docs/evidence.md §5).`,
  );
  return out;
}

/** What was verified, as the reader should see it: a version's record, or an observation; else nothing. */
function describeContent(bundle: EvidenceBundle, entry: LogEntry): EvidenceContent | undefined {
  if (entry.type === 'observation') return describeObservation(bundle, entry);
  if (entry.type !== 'snapshot') return undefined;
  const record = bundle.record;
  const version: EvidenceContentLine = {
    label: 'Version',
    value: `${entry.version ?? '(none named)'} of statement ${entry.statementId} (named by the log entry, not the record)`,
  };
  if (record === null) {
    return {
      kind: 'record',
      heading: `The record: withheld from this bundle; only its hash ${bundle.recordSha256} is given`,
      lines: [version],
    };
  }
  const lines: EvidenceContentLine[] = [];
  const add = (label: string, value: JsonValue | undefined, as = (text: string) => shown(text)): void => {
    if (value === undefined || value === null) return;
    lines.push({ label, value: typeof value === 'string' ? as(value) : escapeHidden(JSON.stringify(value)) });
  };
  add('Platform', record.platform);
  add('Account', record.account);
  add('Byline', record.byline, (text) => `${quoted(text)} (as the page printed it, not a verified author)`);
  add('URL', record.url);
  if (record.authoredAt === null) lines.push({ label: 'Authored', value: 'not given by the platform' });
  else add('Authored', record.authoredAt);
  add('Edited', record.editedAt);
  lines.push(version);
  add('Read through', record.via, (text) => `${shown(text)} (an embed endpoint, not the platform's API)`);
  add('Title', record.title, quoted);
  if (typeof record.text === 'string') {
    const length = characterCount(record.text);
    const cut = length > CONTENT_TEXT_MAX_CHARACTERS;
    lines.push({
      label: cut
        ? `Text (an excerpt: the first ${grouped(CONTENT_TEXT_MAX_CHARACTERS)} of ${grouped(length)} characters; the record in the bundle holds it all)`
        : `Text (${grouped(length)} character${length === 1 ? '' : 's'}, in full)`,
      value: `${quoted(cut ? firstCharacters(record.text, CONTENT_TEXT_MAX_CHARACTERS) : record.text)}${cut ? ' (cut here)' : ''}`,
    });
  }
  return {
    kind: 'record',
    heading: `What was verified: the record's content, which the record hash (SHA-256 ${bundle.recordSha256}) covers`,
    lines,
  };
}

/** An observation: what the archive asked, what the platform answered, what it was seen as and when. */
function describeObservation(bundle: EvidenceBundle, entry: LogEntry): EvidenceContent {
  const lines: EvidenceContentLine[] = [
    {
      label: 'Asked',
      value: `the platform, for statement ${entry.statementId} (the bundle names the statement, not the URL the archive asked)`,
    },
  ];
  const heads = platformAnswers(bundle);
  if (heads.length > 0) {
    lines.push({
      label: 'Answered',
      value: `${heads.join('; ')} (the status line of the included response head)`,
    });
  } else if (entry.artifacts.length === 0) {
    lines.push({
      label: 'Answered',
      value: 'no answer is attached (the observation records what the platform showed by its content)',
    });
  }
  for (const artifact of bundle.artifacts) {
    if (artifact.role === 'response-head' && artifact.body !== undefined) continue;
    lines.push({ label: `Answer (${artifact.role})`, value: describeAnswer(artifact) });
  }
  const why = entry.reason !== undefined ? ` (${entry.reason})` : '';
  lines.push({
    label: 'Observed',
    value: `${entry.status}${why}, at ${entry.capturedAt} (by the log's own clock)`,
  });
  return {
    kind: 'observation',
    heading: 'What was verified: an observation, which the log entry holds (there is no record)',
    lines,
  };
}

/** One artifact of an observation: its size and digest, and a textual body quoted (cut when long). */
function describeAnswer(artifact: EvidenceArtifact): string {
  const size = `${grouped(artifact.size)} bytes, ${shown(artifact.mediaType)}, sha256 ${artifact.sha256}`;
  if (artifact.body === undefined) return `${size}: withheld from this bundle (digest only)`;
  if (!/^(text\/|application\/([\w.-]+\+)?(json|xml)\b)/i.test(artifact.mediaType))
    return `${size}: included`;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(fromBase64(artifact.body));
  } catch {
    return `${size}: included`;
  }
  return characterCount(text) > ANSWER_BODY_MAX_CHARACTERS
    ? `${size}: ${quoted(firstCharacters(text, ANSWER_BODY_MAX_CHARACTERS))} (cut here)`
    : `${size}: ${quoted(text)}`;
}
