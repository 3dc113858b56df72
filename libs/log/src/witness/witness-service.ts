/**
 * The witness side of C2SP tlog-witness (https://c2sp.org/tlog-witness): check a log's new checkpoint
 * against the last one this instance cosigned for that origin, record it, and cosign it.
 */
import { type DataSource } from 'typeorm';
import {
  type AddCheckpointRequest,
  bytesEqual,
  type Checkpoint,
  cosign,
  EMPTY_TREE_HASH,
  fromUtf8,
  LedgerFormatError,
  NoteVerificationError,
  openNote,
  parseAddCheckpoint,
  parseCheckpoint,
  parseNote,
  ProofVerificationError,
  verifyConsistency,
} from '@app/ledger';
import { type WitnessKey } from '../log-keys';
import { type FollowedLogs } from './followed-logs';

/** What the witness last cosigned for one origin. */
export interface WitnessedState {
  readonly size: number;
  readonly root: Uint8Array;
}

/** A checkpoint whose format and log signature are good. */
export interface Submission {
  readonly request: AddCheckpointRequest;
  /** the note text (the checkpoint body), which is what gets cosigned */
  readonly text: string;
  readonly checkpoint: Checkpoint;
}

/** Statuses and their meaning are the spec's; 409 carries the size the witness holds. */
export type Rejection =
  | { readonly status: 400 | 403 | 404 | 422; readonly message: string }
  | { readonly status: 409; readonly message: string; readonly size: number };

export type AddCheckpointResult =
  | {
      readonly status: 200;
      /** the cosignature line(s), each ending in a newline */
      readonly cosignatures: string;
      readonly origin: string;
      readonly size: number;
    }
  | Rejection;

const reject = (status: 400 | 403 | 404 | 422, message: string): Rejection => ({ status, message });

/** Parses the request and verifies the log's signature (400, 404, 403), touching no state. */
export function readSubmission(body: Uint8Array | string, logs: FollowedLogs): Submission | Rejection {
  let request: AddCheckpointRequest;
  let text: string;
  let checkpoint: Checkpoint;
  try {
    request = parseAddCheckpoint(typeof body === 'string' ? body : fromUtf8(body));
    text = parseNote(request.signedNote).text;
    checkpoint = parseCheckpoint(text);
  } catch (error) {
    return reject(400, `malformed add-checkpoint request: ${(error as Error).message}`);
  }
  const verifiers = logs.get(checkpoint.origin);
  if (!verifiers) return reject(404, `this witness does not follow the log ${checkpoint.origin}`);
  try {
    openNote(request.signedNote, verifiers);
  } catch (error) {
    if (error instanceof NoteVerificationError || error instanceof LedgerFormatError) {
      return reject(403, `the checkpoint is not signed by a key trusted for ${checkpoint.origin}`);
    }
    throw error;
  }
  if (request.oldSize > checkpoint.size) {
    return reject(400, `old size ${request.oldSize} is larger than the checkpoint size ${checkpoint.size}`);
  }
  return { request, text, checkpoint };
}

/**
 * Whether the checkpoint may replace what the witness holds (`null`: never cosigned this origin): the old
 * size must be the stored one (409), and the proof must lead from the stored root to the new one (422).
 */
export function judgeAdvance(submission: Submission, stored: WitnessedState | null): Rejection | null {
  const { request, checkpoint } = submission;
  const storedSize = stored?.size ?? 0;
  if (request.oldSize !== storedSize) {
    return {
      status: 409,
      size: storedSize,
      message: `old size ${request.oldSize} is not ${storedSize}, the size this witness last cosigned`,
    };
  }
  if (checkpoint.size === 0 && !bytesEqual(checkpoint.rootHash, EMPTY_TREE_HASH)) {
    return reject(422, 'a checkpoint of size 0 must carry the root of the empty tree');
  }
  if (stored && checkpoint.size === stored.size) {
    if (request.consistencyProof.length > 0)
      return reject(422, 'the sizes are equal but the consistency proof is not empty');
    if (!bytesEqual(checkpoint.rootHash, stored.root)) {
      return {
        status: 409,
        size: storedSize,
        message: `the log signed a different root for size ${stored.size} than this witness cosigned`,
      };
    }
    return null;
  }
  // From size 0 there is nothing to prove (the parser already refused a non-empty proof).
  if (!stored || stored.size === 0) return null;
  try {
    verifyConsistency(
      stored.size,
      checkpoint.size,
      request.consistencyProof,
      stored.root,
      checkpoint.rootHash,
    );
  } catch (error) {
    if (error instanceof ProofVerificationError) {
      return reject(
        422,
        `the consistency proof from ${stored.size} to ${checkpoint.size} does not verify: ${error.message}`,
      );
    }
    throw error;
  }
  return null;
}

/**
 * Handles one add-checkpoint request. The check against the stored state and the update happen in one
 * transaction holding the origin's row lock, so concurrent requests cannot both advance from the same size
 * and the stored size never goes down. The cosignature is made only after the new state is written.
 */
export async function addCheckpoint(
  db: DataSource,
  witness: WitnessKey,
  logs: FollowedLogs,
  body: Uint8Array | string,
  now: () => Date = () => new Date(),
): Promise<AddCheckpointResult> {
  const submission = readSubmission(body, logs);
  if (!('checkpoint' in submission)) return submission;
  const { checkpoint } = submission;

  const rejection = await db.transaction(async (tx): Promise<Rejection | null> => {
    const [row]: { size: string; root: Buffer }[] = await tx.query(
      `SELECT size, root FROM witnessed_logs WHERE origin = $1 FOR UPDATE`,
      [checkpoint.origin],
    );
    const stored = row ? { size: Number(row.size), root: new Uint8Array(row.root) } : null;
    const refused = judgeAdvance(submission, stored);
    if (refused) return refused;
    if (stored) {
      await tx.query(
        `UPDATE witnessed_logs SET size = $2, root = $3, updated_at = clock_timestamp()
         WHERE origin = $1 AND size <= $2`,
        [checkpoint.origin, checkpoint.size, Buffer.from(checkpoint.rootHash)],
      );
      return null;
    }
    // No row to lock yet: a concurrent first request may insert it first; then we lost the race.
    const inserted: unknown[] = await tx.query(
      `INSERT INTO witnessed_logs (origin, size, root) VALUES ($1, $2, $3)
       ON CONFLICT (origin) DO NOTHING RETURNING origin`,
      [checkpoint.origin, checkpoint.size, Buffer.from(checkpoint.rootHash)],
    );
    if (inserted.length > 0) return null;
    const [winner]: { size: string }[] = await tx.query(`SELECT size FROM witnessed_logs WHERE origin = $1`, [
      checkpoint.origin,
    ]);
    const size = Number(winner.size);
    return {
      status: 409,
      size,
      message: `old size ${submission.request.oldSize} is not ${size}, the size this witness last cosigned`,
    };
  });
  if (rejection) return rejection;

  const time = Math.floor(now().getTime() / 1000);
  return {
    status: 200,
    cosignatures: cosign(submission.text, witness.cosigner, time),
    origin: checkpoint.origin,
    size: checkpoint.size,
  };
}
