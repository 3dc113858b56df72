/** How many bytes are looked at to tell a feed from a page: a prolog, comments and a doctype fit in them. */
const SNIFF_BYTES = 4096;

/**
 * What a response body is: a feed (its first element is `rss`, `feed` or `rdf:RDF`, whatever the server
 * called it: government servers often send feeds as text/html), an HTML page (declared as HTML, or starting
 * with a doctype or `<html>`), or something else (left to the feed reader, whose refusal says what it got).
 */
export function bodyKind(body: Buffer, contentType: string | null): 'feed' | 'page' | 'other' {
  const head = body
    .subarray(0, SNIFF_BYTES)
    .toString('latin1')
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '');
  const first = firstElement(head);
  if (first && /^(rss|feed|rdf:rdf)$/i.test(first)) return 'feed';
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'text/html' || type === 'application/xhtml+xml') return 'page';
  if (/^<!doctype\s+html/i.test(head.trimStart()) || first?.toLowerCase() === 'html') return 'page';
  return 'other';
}

/** The name of the first element, past the XML declaration, processing instructions, comments and doctype. */
function firstElement(text: string): string | null {
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt < 0) return null;
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      if (end < 0) return null;
      i = end + 3;
    } else if (text[lt + 1] === '?' || text[lt + 1] === '!') {
      const end = text.indexOf('>', lt + 2);
      if (end < 0) return null;
      i = end + 1;
    } else {
      return /^<([A-Za-z][\w:.-]*)/.exec(text.slice(lt, lt + 64))?.[1] ?? null;
    }
  }
  return null;
}
