import { normalizePageUrl, withoutXShareParams } from '@app/sources';

/**
 * The original URL a TimeGate or TimeMap request names: everything after the route's prefix in the request
 * target, query included (it belongs to the original URL). Clients send it raw (`/timegate/https://…`) or
 * percent-encoded (`/timegate/https%3A%2F%2F…`); proxies sometimes merge the `//` after the scheme.
 */
export function originalUrlOf(requestTarget: string, prefix: string): { url: string } | { error: string } {
  let rest = requestTarget.startsWith(prefix) ? requestTarget.slice(prefix.length) : '';
  if (/^https?%3A/i.test(rest)) {
    try {
      rest = decodeURIComponent(rest);
    } catch {
      return { error: `the original URL after ${prefix} is not valid percent-encoding` };
    }
  }
  rest = rest.replace(/^(https?):\/(?!\/)/i, '$1://');
  let parsed: URL;
  try {
    parsed = new URL(rest);
  } catch {
    parsed = new URL('invalid:');
  }
  if (!/^https?:$/.test(parsed.protocol) || !/^https?:\/\//i.test(rest)) {
    return { error: `put an http(s) URL after ${prefix}, e.g. ${prefix}https://mastodon.social/@user/123` };
  }
  return { url: rest };
}

/**
 * The URLs a capture of `original` may be held under, the exact one first. A link as people share it carries
 * what the archive never keys a statement by: a fragment, tracking tags (utm_*, click ids: normalizePageUrl,
 * the normaliser of web pages' and feeds' identities), X's share parameters (`?s=20&t=…`), upper case in the
 * host, a trailing dot on the host (the DNS root: `example.org.` is `example.org`). Parameters that may pick
 * content are kept. The host is tried with and without that dot, for a page first fetched with it.
 */
export function lookupUrlsOf(original: string): string[] {
  const url = new URL(normalizePageUrl(original));
  if (url.hostname.length > 1 && url.hostname.endsWith('.') && !url.hostname.endsWith('..'))
    url.hostname = url.hostname.slice(0, -1);
  const normal = withoutXShareParams(url);
  const dotted = new URL(normal.href);
  if (!dotted.hostname.endsWith('.')) dotted.hostname = `${dotted.hostname}.`;
  return [...new Set([original, normal.href, dotted.href])];
}
