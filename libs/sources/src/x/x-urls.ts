/** The hosts a person copies X URLs from. The API itself is read at the configured base URL. */
const X_HOSTS = new Set(['x.com', 'twitter.com', 'mobile.twitter.com', 'mobile.x.com']);

/** X usernames: 1 to 15 letters, digits and underscores. */
const USERNAME = /^[A-Za-z0-9_]{1,15}$/;
/** An X id as it appears in a URL: a decimal snowflake, never more than 19 digits (it fits in 63 bits). */
export const X_ID = /^[1-9][0-9]{0,18}$/;

/** First path segments that are X's own pages, not accounts. */
const RESERVED = new Set([
  'home',
  'explore',
  'search',
  'notifications',
  'messages',
  'settings',
  'i',
  'intent',
  'share',
  'hashtag',
  'compose',
  'login',
  'logout',
  'signup',
  'tos',
  'privacy',
  'about',
  'jobs',
  'download',
]);

/** The public address of a post or a profile: always x.com, whatever base URL the API is read from. */
export const X_WEB_ORIGIN = 'https://x.com';

export function isXHost(url: URL): boolean {
  return X_HOSTS.has(url.hostname.toLowerCase().replace(/^www\./, ''));
}

/** `https://x.com/<user>` (or twitter.com, mobile.twitter.com, www.), with an optional trailing slash. */
export function parseXAccountUrl(url: URL): { username: string } | null {
  if (!isPlainXUrl(url)) return null;
  const match = /^\/([^/]+)\/?$/.exec(url.pathname);
  if (!match || !USERNAME.test(match[1]) || RESERVED.has(match[1].toLowerCase())) return null;
  return { username: match[1] };
}

/** `https://x.com/<user>/status/<id>` (also `statuses`, a trailing slash, or a `/photo/1`-style suffix). */
export function parseXPostUrl(url: URL): { username: string; postId: string } | null {
  if (!isPlainXUrl(url)) return null;
  const match = /^\/([^/]+)\/status(?:es)?\/([0-9]+)(?:\/(?:photo|video)\/[1-4])?\/?$/.exec(url.pathname);
  if (!match || !USERNAME.test(match[1]) || RESERVED.has(match[1].toLowerCase())) return null;
  if (!X_ID.test(match[2])) return null;
  return { username: match[1], postId: match[2] };
}

/**
 * What X's share button adds to a post or profile link: `s` (which app shared it, `?s=20`) and `t` (a per-share
 * tracking token). Neither picks what the page shows; the path does.
 */
const X_SHARE_PARAMS = new Set(['s', 't']);

/**
 * An X post or profile URL without X's share parameters (`?s=20&t=…`), other parameters kept in order; any
 * other URL unchanged. The general tracking tags (utm_*, click ids) are normalizePageUrl's.
 */
export function withoutXShareParams(url: URL): URL {
  if (!parseXPostUrl(url) && !parseXAccountUrl(url)) return url;
  const params = [...url.searchParams];
  const kept = params.filter(([name]) => !X_SHARE_PARAMS.has(name));
  if (kept.length === params.length) return url;
  const out = new URL(url.href);
  out.search = '';
  for (const [name, value] of kept) out.searchParams.append(name, value);
  return out;
}

export function xProfileUrl(username: string): string {
  return `${X_WEB_ORIGIN}/${username}`;
}

export function xPostUrl(username: string, postId: string): string {
  return `${X_WEB_ORIGIN}/${username}/status/${postId}`;
}

function isPlainXUrl(url: URL): boolean {
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.username === '' &&
    url.password === '' &&
    isXHost(url)
  );
}
