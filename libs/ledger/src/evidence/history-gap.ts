/**
 * The bundle's `historyGap`: the archive's own note that the platform's edit history read with this version came
 * incomplete, so the archive may hold fewer versions than the platform had. It rides beside the signed record,
 * outside it: no log entry, hash or signature covers it, so a verifier shows it and never counts it as verified.
 */
import {
  checkKeys,
  formatError,
  join,
  readNonEmptyString,
  readObject,
  readString,
  readUtcTimestamp,
} from './fields';

export const HISTORY_GAP_KINDS = ['not-read', 'cut-short'] as const;
export type HistoryGapKind = (typeof HISTORY_GAP_KINDS)[number];

/** Written into every `historyGap`, so that a reader of the JSON alone is told what the note is and is not. */
export const HISTORY_GAP_ABOUT =
  "The archive's own note, outside the signed record: it is not in the transparency log, no hash or signature " +
  'covers it, and a verifier does not check it. It says the edit history the platform gave with this version ' +
  'was not read or was cut short, so the archive may hold fewer versions of the statement than the platform had.';

/** The note as the archive keeps it. */
export interface HistoryGapNote {
  /** `not-read`: the history could not be read; `cut-short`: versions were left out of it */
  readonly kind: HistoryGapKind;
  /** what happened, for a reader: the error, or how many edits were left out and when they were made */
  readonly detail: string;
  /** when the archive wrote the note (RFC 3339 UTC), by its own clock */
  readonly notedAt: string;
}

/** The note as it appears in a bundle. */
export interface EvidenceHistoryGap extends HistoryGapNote {
  /** what the note is: unsigned, not logged, not verified (HISTORY_GAP_ABOUT when we write it) */
  readonly about: string;
}

/** Reads a bundle's `historyGap`, naming the offending field. */
export function readHistoryGap(value: unknown, path: string): EvidenceHistoryGap {
  const object = readObject(value, path);
  checkKeys(object, ['kind', 'detail', 'notedAt', 'about'], path);
  const kind = readString(object, 'kind', path);
  if (!(HISTORY_GAP_KINDS as readonly string[]).includes(kind)) {
    throw formatError(
      join(path, 'kind'),
      `expected one of ${HISTORY_GAP_KINDS.join(', ')}, got ${JSON.stringify(kind)}`,
    );
  }
  return {
    kind: kind as HistoryGapKind,
    detail: readString(object, 'detail', path),
    notedAt: readUtcTimestamp(object, 'notedAt', path),
    about: readNonEmptyString(object, 'about', path),
  };
}

/** The bundle's note, for a reader: what it says, and that it is the archive's word only. */
export function describeHistoryGap(gap: HistoryGapNote, version: number | undefined): string {
  const which = version === undefined ? 'this version' : `version ${version}`;
  const what =
    gap.kind === 'not-read'
      ? `the platform's edit history was not read with ${which}, so edits made before it may be missing from the archive`
      : `only part of the platform's edit history was kept with ${which}: edits made before it were left out of the archive`;
  // the detail is untrusted text: quoted as JSON, so no line break or escape in it can pass for a line of ours
  const detail = JSON.stringify(gap.detail.slice(0, 500));
  return `The archive's own note (unsigned, not in the log, not verified): ${what} (${detail}, noted ${gap.notedAt}).`;
}
