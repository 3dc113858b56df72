/**
 * C2SP tlog-witness add-checkpoint request body: "old <N>\n", up to 63 base64 consistency-proof lines,
 * an empty line, then the signed checkpoint note.
 */
import { fromBase64, parseCanonicalDecimal, toBase64 } from './bytes';
import { LedgerFormatError } from './errors';
import { HASH_SIZE } from './merkle';

export const MAX_WITNESS_PROOF_LINES = 63;

export interface AddCheckpointRequest {
  readonly oldSize: number;
  readonly consistencyProof: readonly Uint8Array[];
  /** The signed checkpoint, verbatim. */
  readonly signedNote: string;
}

function checkProof(oldSize: number, proof: readonly Uint8Array[]): void {
  if (proof.length > MAX_WITNESS_PROOF_LINES) {
    throw new LedgerFormatError(
      `consistency proof has ${proof.length} lines, at most ${MAX_WITNESS_PROOF_LINES}`,
    );
  }
  if (oldSize === 0 && proof.length > 0)
    throw new LedgerFormatError('the proof must be empty when old size is 0');
  if (proof.some((hash) => hash.length !== HASH_SIZE))
    throw new LedgerFormatError('proof hashes must be 32 bytes');
}

export function formatAddCheckpoint(
  oldSize: number,
  consistencyProof: readonly Uint8Array[],
  signedNote: string,
): string {
  if (!Number.isSafeInteger(oldSize) || oldSize < 0)
    throw new LedgerFormatError('old size must be a safe integer');
  checkProof(oldSize, consistencyProof);
  if (signedNote.length === 0) throw new LedgerFormatError('the checkpoint note is empty');
  return `old ${oldSize}\n${consistencyProof.map((hash) => `${toBase64(hash)}\n`).join('')}\n${signedNote}`;
}

/** Parses a request body; the note itself is returned as text, to be checked with openNote. */
export function parseAddCheckpoint(body: string): AddCheckpointRequest {
  const firstEnd = body.indexOf('\n');
  if (firstEnd < 0 || !body.startsWith('old '))
    throw new LedgerFormatError('request must start with "old <size>"');
  const oldSize = parseCanonicalDecimal(body.slice(4, firstEnd));
  if (oldSize === null) throw new LedgerFormatError('old size is not a canonical decimal');
  const proof: Uint8Array[] = [];
  let position = firstEnd + 1;
  for (;;) {
    const end = body.indexOf('\n', position);
    if (end < 0) throw new LedgerFormatError('request has no empty line before the checkpoint');
    const line = body.slice(position, end);
    position = end + 1;
    if (line === '') break;
    if (proof.length === MAX_WITNESS_PROOF_LINES) {
      throw new LedgerFormatError(`more than ${MAX_WITNESS_PROOF_LINES} consistency proof lines`);
    }
    try {
      proof.push(fromBase64(line));
    } catch {
      throw new LedgerFormatError(`consistency proof line ${proof.length + 1} is not valid base64`);
    }
  }
  checkProof(oldSize, proof);
  const signedNote = body.slice(position);
  if (signedNote.length === 0) throw new LedgerFormatError('request has no checkpoint');
  return { oldSize, consistencyProof: proof, signedNote };
}
