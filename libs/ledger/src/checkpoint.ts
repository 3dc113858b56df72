/** C2SP tlog-checkpoint note text: origin, decimal tree size, base64 root hash, optional extension lines. */
import { fromBase64, parseCanonicalDecimal, toBase64 } from './bytes';
import { LedgerFormatError } from './errors';
import { HASH_SIZE } from './merkle';

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** Opaque non-empty lines after the root (NOT RECOMMENDED by the spec, kept when present). */
  readonly extensions?: readonly string[];
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/;

function checkLine(line: string, what: string): void {
  if (line.length === 0) throw new LedgerFormatError(`checkpoint ${what} is empty`);
  if (CONTROL.test(line)) throw new LedgerFormatError(`checkpoint ${what} contains a control character`);
}

/** The checkpoint body ("origin\nsize\nbase64root\n" plus any extension lines). */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  checkLine(checkpoint.origin, 'origin');
  if (!Number.isSafeInteger(checkpoint.size) || checkpoint.size < 0) {
    throw new LedgerFormatError('checkpoint size must be a non-negative safe integer');
  }
  if (checkpoint.rootHash.length !== HASH_SIZE)
    throw new LedgerFormatError('checkpoint root must be 32 bytes');
  const extensions = checkpoint.extensions ?? [];
  extensions.forEach((line) => checkLine(line, 'extension line'));
  return [checkpoint.origin, String(checkpoint.size), toBase64(checkpoint.rootHash), ...extensions]
    .map((line) => `${line}\n`)
    .join('');
}

/** Strictly parses a checkpoint body (the text of a signed note, without signatures). */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new LedgerFormatError('checkpoint must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new LedgerFormatError('checkpoint needs origin, size and root lines');
  const [origin, sizeText, rootText, ...extensions] = lines;
  checkLine(origin, 'origin');
  const size = parseCanonicalDecimal(sizeText);
  if (size === null)
    throw new LedgerFormatError(`checkpoint size ${JSON.stringify(sizeText)} is not canonical`);
  let rootHash: Uint8Array;
  try {
    rootHash = fromBase64(rootText);
  } catch {
    throw new LedgerFormatError('checkpoint root is not valid base64');
  }
  if (rootHash.length !== HASH_SIZE) throw new LedgerFormatError('checkpoint root must be 32 bytes');
  extensions.forEach((line) => checkLine(line, 'extension line'));
  return extensions.length > 0 ? { origin, size, rootHash, extensions } : { origin, size, rootHash };
}
