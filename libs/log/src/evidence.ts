import { type EntityManager } from 'typeorm';
import { ErrorCode, VerbatimError } from '@app/core';
import {
  buildEvidenceBundle,
  inclusionProof,
  type EvidenceBundle,
  type HistoryGapNote,
  type JsonObject,
} from '@app/ledger';
import { findHistoryGaps } from '@app/persistence';
import { type LogKey } from './log-keys';
import { checkpointWithCosignatures } from './checkpoint-note';
import { latestCheckpoint, nodeReader } from './log-store';

/** Artifact bodies are included up to this many bytes in total; all are always listed by hash. */
export const DEFAULT_BUNDLE_BODY_LIMIT = 5 * 1024 * 1024;

export type EvidenceOutcome =
  | { kind: 'ready'; bundle: EvidenceBundle }
  /** captured, but not yet in a signed checkpoint */
  | { kind: 'pending' };

/**
 * The evidence bundle of one version, once a signed checkpoint covers it, with our note beside it when the edit
 * history read with the version came incomplete (a researcher holding only the bundle must be told too).
 */
export async function evidenceFor(
  db: EntityManager,
  key: LogKey,
  statementId: string,
  version: number | null,
  bodyLimit = DEFAULT_BUNDLE_BODY_LIMIT,
): Promise<EvidenceOutcome> {
  const [target]: { number: number; record: JsonObject }[] = await db.query(
    `SELECT number, record FROM versions WHERE statement_id = $1 AND ($2::int IS NULL OR number = $2) ORDER BY number DESC LIMIT 1`,
    [statementId, version],
  );
  if (!target) {
    throw new VerbatimError(
      ErrorCode.NotFound,
      version === null ? `no statement ${statementId}` : `statement ${statementId} has no version ${version}`,
    );
  }
  const [entry]: { idx: string; entry: Buffer }[] = await db.query(
    // the version's snapshot entry: queued with the version, so before any `media` entry of the same version
    `SELECT idx, entry FROM log_entries WHERE statement_id = $1 AND version_number = $2 ORDER BY idx LIMIT 1`,
    [statementId, target.number],
  );
  const artifacts: { sha256: string; bytes: Buffer }[] = entry
    ? await db.query(
        `SELECT a.sha256, a.bytes FROM version_artifacts va JOIN artifacts a ON a.sha256 = va.sha256
         WHERE va.statement_id = $1 AND va.version_number = $2 ORDER BY a.size, a.sha256`,
        [statementId, target.number],
      )
    : [];
  const gap = (await findHistoryGaps(db, statementId)).get(target.number);
  const historyGap: HistoryGapNote | undefined = gap && {
    kind: gap.kind,
    detail: gap.detail,
    notedAt: gap.notedAt.toISOString(),
  };
  return bundleFor(db, key, entry, target.record, artifacts, bodyLimit, historyGap);
}

/**
 * The evidence bundle of an observation (a statement seen missing, deleted, restored, unavailable): its log
 * entry, with the platform's answers that showed it as artifacts, once a signed checkpoint covers it.
 */
export async function evidenceForObservation(
  db: EntityManager,
  key: LogKey,
  statementId: string,
  observationId: string,
  bodyLimit = DEFAULT_BUNDLE_BODY_LIMIT,
): Promise<EvidenceOutcome> {
  const [observation]: { id: string }[] = await db.query(
    `SELECT id FROM observations WHERE id = $1 AND statement_id = $2`,
    [observationId, statementId],
  );
  if (!observation) {
    throw new VerbatimError(
      ErrorCode.NotFound,
      `statement ${statementId} has no observation ${observationId}`,
    );
  }
  const [entry]: { idx: string; entry: Buffer }[] = await db.query(
    `SELECT idx, entry FROM log_entries WHERE observation_id = $1`,
    [observationId],
  );
  const artifacts: { sha256: string; bytes: Buffer }[] = entry
    ? await db.query(
        `SELECT a.sha256, a.bytes FROM observation_artifacts oa JOIN artifacts a ON a.sha256 = oa.sha256
         WHERE oa.observation_id = $1 ORDER BY a.size, a.sha256`,
        [observationId],
      )
    : [];
  return bundleFor(db, key, entry, null, artifacts, bodyLimit);
}

/**
 * The evidence bundle of a quotation (one document's claim about a quoted statement): its `quotation` log
 * entry, the claim as the record it names, and the document it was read from as the artifact. Without a
 * quotation id, the quoted statement's first quotation.
 */
export async function evidenceForQuotation(
  db: EntityManager,
  key: LogKey,
  quotedStatementId: string,
  quotationId: string | null,
  bodyLimit = DEFAULT_BUNDLE_BODY_LIMIT,
): Promise<EvidenceOutcome> {
  const [quotation]: { record: JsonObject; record_sha256: string; document_sha256: string }[] =
    await db.query(
      `SELECT record, record_sha256, document_sha256 FROM quotations
       WHERE quoted_statement_id = $1 AND ($2::uuid IS NULL OR id = $2) ORDER BY seq LIMIT 1`,
      [quotedStatementId, quotationId],
    );
  if (!quotation) {
    throw new VerbatimError(
      ErrorCode.NotFound,
      quotationId === null
        ? `no quoted statement ${quotedStatementId}`
        : `quoted statement ${quotedStatementId} has no quotation ${quotationId}`,
    );
  }
  // the entry names the quoted statement and the claim's hash (jsonb keeps the claim; JCS hashes it the same)
  const [entry]: { idx: string; entry: Buffer }[] = await db.query(
    `SELECT idx, entry FROM log_entries
     WHERE statement_id = $1 AND version_number IS NULL AND observation_id IS NULL
       AND convert_from(entry, 'UTF8')::jsonb->>'recordSha256' = $2
     ORDER BY idx LIMIT 1`,
    [quotedStatementId, quotation.record_sha256],
  );
  const artifacts: { sha256: string; bytes: Buffer }[] = entry
    ? await db.query(`SELECT sha256, bytes FROM artifacts WHERE sha256 = $1 AND bytes IS NOT NULL`, [
        quotation.document_sha256,
      ])
    : [];
  return bundleFor(db, key, entry, quotation.record, artifacts, bodyLimit);
}

/** Proof, checkpoint, timestamps and cosignatures for one sequenced entry; `pending` until a checkpoint covers it. */
async function bundleFor(
  db: EntityManager,
  key: LogKey,
  entry: { idx: string; entry: Buffer } | undefined,
  record: JsonObject | null,
  artifacts: { sha256: string; bytes: Buffer }[],
  bodyLimit: number,
  historyGap?: HistoryGapNote,
): Promise<EvidenceOutcome> {
  const checkpoint = await latestCheckpoint(db);
  if (!entry || !checkpoint || Number(entry.idx) >= checkpoint.size) return { kind: 'pending' };

  const index = Number(entry.idx);
  const proof = await inclusionProof(index, checkpoint.size, nodeReader(db));
  const bodies = new Map<string, Uint8Array>();
  let budget = bodyLimit;
  for (const artifact of artifacts) {
    if (artifact.bytes.length > budget) continue;
    bodies.set(artifact.sha256, artifact.bytes);
    budget -= artifact.bytes.length;
  }
  const timestamps: { tsa: string; token: Buffer }[] = await db.query(
    `SELECT tsa, token FROM log_timestamps WHERE checkpoint_size = $1 ORDER BY id`,
    [checkpoint.size],
  );
  const { note, witnesses } = await checkpointWithCosignatures(db, checkpoint);
  return {
    kind: 'ready',
    bundle: buildEvidenceBundle({
      leaf: entry.entry,
      leafIndex: index,
      inclusionProof: proof,
      checkpoint: note,
      logKey: key.verifierKey,
      record,
      artifactBodies: bodies,
      timestamps,
      ...(witnesses.length > 0 ? { witnesses } : {}),
      ...(historyGap !== undefined ? { historyGap } : {}),
    }),
  };
}
