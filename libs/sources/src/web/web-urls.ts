/**
 * Query parameters that only say where a reader came from (campaign tags, click ids): the same page with or
 * without them is one page, so they are dropped from a page's identity.
 */
const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'mc_cid',
  'mc_eid',
  'igshid',
  'yclid',
  '_hsenc',
  '_hsmi',
  'ref_src',
]);

/**
 * A page's URL as its identity: no fragment, no tracking parameters (utm_* and the click ids above), host
 * lower-cased by URL itself; the order of the remaining parameters is kept (servers may read it).
 */
export function normalizePageUrl(raw: string | URL): string {
  const url = new URL(typeof raw === 'string' ? raw : raw.href);
  url.hash = '';
  const kept = [...url.searchParams].filter(
    ([name]) => !name.toLowerCase().startsWith('utm_') && !TRACKING_PARAMS.has(name.toLowerCase()),
  );
  if (kept.length !== [...url.searchParams].length) {
    url.search = '';
    for (const [name, value] of kept) url.searchParams.append(name, value);
  }
  return url.href;
}

/** A host without a leading `www.`: `www.mfa.gov.ua` and `mfa.gov.ua` are one site. */
export function siteOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^www\./, '');
}

export function sameSite(a: URL, b: URL): boolean {
  return siteOf(a) === siteOf(b);
}

/** An absolute http(s) URL from an attribute value, or null (javascript:, mailto:, unparsable). */
export function resolveHttpUrl(href: string, base: string): URL | null {
  let url: URL;
  try {
    url = new URL(href.trim(), base);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
}
