import { type EntityManager } from 'typeorm';
import { ErrorCode, VerbatimError } from '@app/core';
import { buildEvidenceBundle, inclusionProof, type EvidenceBundle, type JsonObject } from '@app/ledger';
import { type LogKey } from './log-keys';
import { checkpointWithCosignatures } from './checkpoint-note';
import { latestCheckpoint, nodeReader } from './log-store';

/** Artifact bodies are included up to this many bytes in total; all are always listed by hash. */
export const DEFAULT_BUNDLE_BODY_LIMIT = 5 * 1024 * 1024;

export type EvidenceOutcome =
  | { kind: 'ready'; bundle: EvidenceBundle }
  /** captured, but not yet in a signed checkpoint */
  | { kind: 'pending' };

/** The evidence bundle of one version, once a signed checkpoint covers it. */
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
  const checkpoint = await latestCheckpoint(db);
  const [entry]: { idx: string; entry: Buffer }[] = await db.query(
    `SELECT idx, entry FROM log_entries WHERE statement_id = $1 AND version_number = $2`,
    [statementId, target.number],
  );
  if (!entry || !checkpoint || Number(entry.idx) >= checkpoint.size) return { kind: 'pending' };

  const index = Number(entry.idx);
  const proof = await inclusionProof(index, checkpoint.size, nodeReader(db));
  const artifacts: { sha256: string; bytes: Buffer }[] = await db.query(
    `SELECT a.sha256, a.bytes FROM version_artifacts va JOIN artifacts a ON a.sha256 = va.sha256
     WHERE va.statement_id = $1 AND va.version_number = $2 ORDER BY a.size, a.sha256`,
    [statementId, target.number],
  );
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
      record: target.record,
      artifactBodies: bodies,
      timestamps,
      ...(witnesses.length > 0 ? { witnesses } : {}),
    }),
  };
}
