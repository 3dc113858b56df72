/** Mastodon usernames: letters, digits and underscores, with dots or dashes only inside. */
const USERNAME = '[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?';
const STATUS_ID = '[0-9]{1,32}';

const PROFILE_PATHS = [
  new RegExp(`^/@(${USERNAME})(?:@([A-Za-z0-9.:-]+))?/?$`),
  new RegExp(`^/users/(${USERNAME})/?$`),
];
const POST_PATHS = [
  new RegExp(`^/@(${USERNAME})/(${STATUS_ID})/?$`),
  new RegExp(`^/users/(${USERNAME})/statuses/(${STATUS_ID})/?$`),
];

export interface MastodonAccountRef {
  /** `https://host[:port]`, where the API is read */
  origin: string;
  /** host with port if any: the instance's part of `user@host` */
  host: string;
  username: string;
}

export interface MastodonPostRef extends MastodonAccountRef {
  statusId: string;
}

/**
 * `https://host/@user`, `https://host/@user@host` (only the home instance itself) or `https://host/users/user`.
 * http:// is accepted too; whether it may be reached is the HTTP client's decision. Pure: no I/O.
 */
export function parseMastodonAccountUrl(url: URL): MastodonAccountRef | null {
  if (!isPlainWebUrl(url)) return null;
  for (const pattern of PROFILE_PATHS) {
    const match = pattern.exec(url.pathname);
    if (!match) continue;
    // Mastodon serves an account's RSS feed at /@user.rss: that URL is a feed, for the feed connector
    if (match[2] === undefined && /\.rss$/i.test(match[1])) return null;
    const domain = match[2]?.toLowerCase();
    // a remote account seen through another instance: its ids live on its home instance
    if (domain !== undefined && domain !== url.host && domain !== url.hostname) return null;
    return { origin: url.origin, host: url.host, username: match[1] };
  }
  return null;
}

/** `https://host/@user/<digits>` or `https://host/users/user/statuses/<digits>`. Pure: no I/O. */
export function parseMastodonPostUrl(url: URL): MastodonPostRef | null {
  if (!isPlainWebUrl(url)) return null;
  for (const pattern of POST_PATHS) {
    const match = pattern.exec(url.pathname);
    if (match) return { origin: url.origin, host: url.host, username: match[1], statusId: match[2] };
  }
  return null;
}

/** `acct` as the home instance returns it ("user") or with a domain ("user@other"), as `user@host`. */
export function handleFor(acct: string, host: string): string {
  return acct.includes('@') ? acct : `${acct}@${host}`;
}

function isPlainWebUrl(url: URL): boolean {
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === ''
  );
}
