/** The page cursors in a Mastodon `Link` header (guidelines.md#pagination). */
export interface PageLinks {
  /** rel="next": older posts, `max_id` */
  nextMaxId: string | null;
  /** rel="prev": newer posts, `min_id` (or `since_id` on older servers) */
  prevMinId: string | null;
}

// a target holds no "<": each try stops at the next one, so a header of "<<<<…" costs its length, not its square
const LINK = /<([^<>]*)>((?:\s*;\s*[A-Za-z*-]+\s*=\s*(?:"[^"]*"|[^;,\s]*))*)/g;

/**
 * Reads only the cursor values: the connector builds its own URLs on the account's origin, so a link
 * pointing elsewhere is never followed.
 */
export function parsePageLinks(header: string | undefined): PageLinks {
  const links: PageLinks = { nextMaxId: null, prevMinId: null };
  if (!header) return links;
  for (const [, target, params] of header.matchAll(LINK)) {
    const rels = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]*))/i.exec(params);
    const rel = (rels?.[1] ?? rels?.[2] ?? '').toLowerCase().split(/\s+/);
    let query: URLSearchParams;
    try {
      query = new URL(target, 'https://placeholder.invalid').searchParams;
    } catch {
      continue;
    }
    if (rel.includes('next') && links.nextMaxId === null) links.nextMaxId = query.get('max_id');
    if (rel.includes('prev') && links.prevMinId === null)
      links.prevMinId = query.get('min_id') ?? query.get('since_id');
  }
  return links;
}
