import { bytesEqual, openNote, parseCheckpoint, toBase64, type NoteVerifier } from '@app/ledger';

export interface StoredCheckpoint {
  size: number;
  root: Uint8Array;
  note: string;
}

/**
 * What is wrong with one stored checkpoint on its own, or null: its note must carry a valid signature by
 * the log key, be a checkpoint for the key's origin, and say the same size and root as its row.
 */
export function checkpointProblem(row: StoredCheckpoint, verifier: NoteVerifier): string | null {
  const what = `checkpoint ${row.size}`;
  let text: string;
  try {
    text = openNote(row.note, [verifier]).text;
  } catch (error) {
    return `${what}: its signature does not verify with the log key ${verifier.name} (${(error as Error).message})`;
  }
  let checkpoint;
  try {
    checkpoint = parseCheckpoint(text);
  } catch (error) {
    return `${what}: its signed note is not a checkpoint (${(error as Error).message})`;
  }
  if (checkpoint.origin !== verifier.name) {
    return `${what}: signed for origin ${JSON.stringify(checkpoint.origin)}, not ${JSON.stringify(verifier.name)}`;
  }
  if (checkpoint.size !== row.size) return `${what}: its signed note says size ${checkpoint.size}`;
  if (!bytesEqual(checkpoint.rootHash, row.root)) {
    return `${what}: stored root ${toBase64(row.root)} differs from its signed root ${toBase64(checkpoint.rootHash)}`;
  }
  return null;
}
