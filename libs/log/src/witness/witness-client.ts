/**
 * The log side of C2SP tlog-witness: ask each configured witness to cosign our checkpoint, with a
 * consistency proof from the last checkpoint it cosigned, and keep the cosignatures that verify.
 */
import { Logger } from '@nestjs/common';
import { type DataSource, type EntityManager } from 'typeorm';
import {
  consistencyProof,
  formatAddCheckpoint,
  type NoteVerifier,
  openNote,
  parseCanonicalDecimal,
  parseNote,
  parseVerifierKey,
  SIGNATURE_TYPE_COSIGNATURE_V1,
} from '@app/ledger';
import { type GuardedHttpClient } from '@app/sources';
import { type LogKey } from '../log-keys';
import { nodeReader, type CheckpointRow } from '../log-store';

export interface WitnessEndpoint {
  /** the witness's add-checkpoint URL */
  url: string;
  /** its cosignature (type 0x04) verifier key */
  key: string;
}

export type WitnessOutcome = { readonly witness: string; readonly url: string } & (
  | {
      readonly status: 'cosigned';
      /** the old size of the request that succeeded (after a 409, the size the witness named) */
      readonly oldSize: number;
      readonly signatureLine: string;
      readonly cosignedAt: Date;
    }
  | { readonly status: 'already-cosigned' }
  | { readonly status: 'failed'; readonly error: string }
);

export interface VerifiedCosignature {
  /** the signature line, newline included, exactly as the witness sent it */
  line: string;
  /** the time the witness attested, in POSIX seconds */
  time: number;
}

const logger = new Logger('WitnessClient');

/**
 * Picks, from a witness's add-checkpoint answer, the line that is a valid cosignature by `witness` on exactly
 * `checkpointNote`'s text. Lines from other keys are ignored (as the spec asks); null when none verifies.
 */
export function verifiedCosignature(
  checkpointNote: string,
  response: string,
  witness: NoteVerifier,
): VerifiedCosignature | null {
  const { text } = parseNote(checkpointNote);
  for (const line of response.split('\n')) {
    if (line === '') continue;
    try {
      const [signature] = openNote(`${text}\n${line}\n`, [witness]).verified;
      if (signature?.timestamp !== undefined) return { line: `${line}\n`, time: signature.timestamp };
    } catch {
      // not a valid cosignature from this witness: ignored
    }
  }
  return null;
}

function managerOf(db: DataSource | EntityManager): EntityManager {
  return 'manager' in db ? db.manager : db;
}

async function askWitness(
  db: EntityManager,
  http: Pick<GuardedHttpClient, 'request'>,
  checkpoint: CheckpointRow,
  endpoint: WitnessEndpoint,
  verifier: NoteVerifier,
): Promise<WitnessOutcome> {
  const base = { witness: endpoint.key, url: endpoint.url };
  const [row]: { size: string | null; here: boolean }[] = await db.query(
    `SELECT max(checkpoint_size) AS size, bool_or(checkpoint_size = $2) AS here
     FROM log_cosignatures WHERE witness = $1`,
    [endpoint.key, checkpoint.size],
  );
  if (row?.here) return { ...base, status: 'already-cosigned' };
  let oldSize = Number(row?.size ?? 0);

  for (let attempt = 0; ; attempt++) {
    if (oldSize > checkpoint.size) {
      return {
        ...base,
        status: 'failed',
        error: `the witness already holds size ${oldSize}, newer than checkpoint ${checkpoint.size}`,
      };
    }
    const proof = oldSize === 0 ? [] : await consistencyProof(oldSize, checkpoint.size, nodeReader(db));
    const response = await http.request(endpoint.url, {
      method: 'POST',
      body: formatAddCheckpoint(oldSize, proof, checkpoint.note),
      headers: { 'content-type': 'text/plain' },
    });
    const body = response.body.toString('utf8');
    if (response.status === 409 && attempt === 0) {
      // The witness holds another size (it lost state, or someone else submitted our checkpoints): start from its.
      const size = response.headers['content-type']?.startsWith('text/x.tlog.size')
        ? parseCanonicalDecimal(body.trim())
        : null;
      if (size === null) {
        return { ...base, status: 'failed', error: `409 without a text/x.tlog.size body: ${snippet(body)}` };
      }
      oldSize = size;
      continue;
    }
    if (response.status !== 200) {
      return {
        ...base,
        status: 'failed',
        error: `add-checkpoint (old ${oldSize}) answered ${response.status}: ${snippet(body)}`,
      };
    }
    const cosignature = verifiedCosignature(checkpoint.note, body, verifier);
    if (!cosignature) {
      return { ...base, status: 'failed', error: 'the answer holds no valid cosignature by this witness' };
    }
    const cosignedAt = new Date(cosignature.time * 1000);
    await db.query(
      `INSERT INTO log_cosignatures (checkpoint_size, witness, signature_line, cosigned_at)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [checkpoint.size, endpoint.key, cosignature.line, cosignedAt],
    );
    return { ...base, status: 'cosigned', oldSize, signatureLine: cosignature.line, cosignedAt };
  }
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

/**
 * Asks every witness, in parallel, to cosign `checkpoint` (a row of log_checkpoints signed by `key`) and
 * stores each verified cosignature in log_cosignatures. Never throws: each witness's failure is logged and
 * returned in its outcome, so one witness being down does not stop the others.
 */
export async function collectCosignatures(
  db: DataSource | EntityManager,
  http: Pick<GuardedHttpClient, 'request'>,
  key: LogKey,
  checkpoint: CheckpointRow,
  witnesses: readonly WitnessEndpoint[],
): Promise<WitnessOutcome[]> {
  const manager = managerOf(db);
  return Promise.all(
    witnesses.map(async (endpoint): Promise<WitnessOutcome> => {
      let outcome: WitnessOutcome;
      try {
        const verifier = parseVerifierKey(endpoint.key);
        if (verifier.type !== SIGNATURE_TYPE_COSIGNATURE_V1) {
          throw new Error(`witness key ${verifier.name} is not a cosignature/v1 key (type 0x04)`);
        }
        outcome = await askWitness(manager, http, checkpoint, endpoint, verifier);
      } catch (error) {
        outcome = {
          witness: endpoint.key,
          url: endpoint.url,
          status: 'failed',
          error: (error as Error).message,
        };
      }
      if (outcome.status === 'failed') {
        logger.warn(`${key.origin} checkpoint ${checkpoint.size}: witness ${endpoint.url}: ${outcome.error}`);
      }
      return outcome;
    }),
  );
}
