import { diffWordsWithSpace } from 'diff';

/** One run of a word-level diff: text kept, added or removed. */
export interface DiffPart {
  op: 'equal' | 'insert' | 'delete';
  text: string;
}

/**
 * The word-level difference between two versions' texts (jsdiff's diffWordsWithSpace: words and whitespace runs, both significant, so
 * both texts replay exactly), as runs a page can show with <ins>/<del> and a reader can replay: the `equal` and `delete` runs give
 * the old text, the `equal` and `insert` runs the new one.
 */
export function wordDiff(before: string, after: string): DiffPart[] {
  return diffWordsWithSpace(before, after).map((change) => ({
    op: change.added ? 'insert' : change.removed ? 'delete' : 'equal',
    text: change.value,
  }));
}

/** The text a diff came from (`old`) or leads to (`new`). */
export function replayDiff(parts: readonly DiffPart[], side: 'old' | 'new'): string {
  const skip = side === 'old' ? 'insert' : 'delete';
  return parts
    .filter((part) => part.op !== skip)
    .map((part) => part.text)
    .join('');
}
