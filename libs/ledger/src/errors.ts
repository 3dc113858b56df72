/** Malformed input: a note, key, checkpoint, witness request, tile path or bundle that breaks its format. */
export class LedgerFormatError extends Error {
  override readonly name = 'LedgerFormatError';
}

/** A Merkle inclusion or consistency proof that does not verify (or whose parameters are impossible). */
export class ProofVerificationError extends Error {
  override readonly name = 'ProofVerificationError';
}

/** A well-formed signed note whose signatures do not satisfy the verifier (bad signature, or no known key). */
export class NoteVerificationError extends Error {
  override readonly name = 'NoteVerificationError';
}
