import { LedgerFormatError, type NoteVerifier, parseVerifierKey, SIGNATURE_TYPE_ED25519 } from '@app/ledger';

/** The logs this instance witnesses: each origin with the verifier keys it trusts for it. */
export type FollowedLogs = ReadonlyMap<string, readonly NoteVerifier[]>;

/**
 * Parses `config.log.witnessFor`: Ed25519 note verifier keys whose name is the followed log's origin.
 * A bad key is a configuration error, reported at start rather than as a 404 for every request.
 */
export function followedLogs(verifierKeys: readonly string[]): FollowedLogs {
  const logs = new Map<string, NoteVerifier[]>();
  for (const vkey of verifierKeys) {
    let verifier: NoteVerifier;
    try {
      verifier = parseVerifierKey(vkey);
    } catch (error) {
      throw new LedgerFormatError(
        `VERBATIM_WITNESS_FOR: ${JSON.stringify(vkey)} is not a verifier key: ${(error as Error).message}`,
      );
    }
    if (verifier.type !== SIGNATURE_TYPE_ED25519) {
      throw new LedgerFormatError(
        `VERBATIM_WITNESS_FOR: ${verifier.name} is not an Ed25519 log key (type 0x01)`,
      );
    }
    logs.set(verifier.name, [...(logs.get(verifier.name) ?? []), verifier]);
  }
  return logs;
}
