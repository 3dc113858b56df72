const MARK = /(<\/?mark>)/;

/**
 * A search snippet is escaped HTML with <mark> around matches, made by the search engine. It reaches the page
 * as HTML only when nothing but <mark> and </mark> could be a tag in it; otherwise the caller shows the text.
 */
export function safeSnippet(snippet: string | undefined): string | null {
  if (!snippet) return null;
  const parts = snippet.split(MARK);
  let open = false;
  for (const part of parts) {
    if (part === '<mark>') {
      if (open) return null;
      open = true;
    } else if (part === '</mark>') {
      if (!open) return null;
      open = false;
    } else if (/[<>]/.test(part)) return null;
  }
  return open ? null : snippet;
}
