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
