/** How an account and a statement are named where people read them: pages, citations, feeds. */

/** "Name (@handle)"; a feed's or a web page's handle is its address, shown without the @. */
export function accountName(account: { handle: string; displayName: string | null }): string {
  const handle = /^https?:\/\//.test(account.handle) ? account.handle : `@${account.handle}`;
  return account.displayName ? `${account.displayName} (${handle})` : handle;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The first line of a text that has one, shortened to `max` characters as a reader counts them (a flag, a letter
 * with its accents): a page, citation or feed entry title. It ends at a word when one ends in the last third, and
 * never inside a character.
 */
export function headline(text: string, max: number): string {
  const line =
    text
      .split('\n')
      .find((l) => l.trim().length > 0)
      ?.trim() ?? '';
  const characters = Array.from(graphemes.segment(line), (part) => part.segment);
  if (characters.length <= max) return line;
  const cut = characters.slice(0, max - 1).join('');
  const wordEnd = cut.lastIndexOf(' ');
  return `${(wordEnd >= (cut.length * 2) / 3 ? cut.slice(0, wordEnd) : cut).trimEnd()}…`;
}
