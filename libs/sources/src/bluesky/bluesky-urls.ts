/** The hosts a person copies Bluesky URLs from. The AppView itself is read at the configured base URL. */
const BSKY_HOSTS = new Set(['bsky.app', 'www.bsky.app']);

/** The public address of a post or profile: always bsky.app, whatever AppView the connector reads. */
export const BSKY_WEB_ORIGIN = 'https://bsky.app';

export const POST_COLLECTION = 'app.bsky.feed.post';

/** A DID of the methods AT Protocol accounts use (did:plc, did:web). */
export const DID = /^did:(?:plc:[a-z2-7]{24}|web:[a-zA-Z0-9.%-]{1,253})$/;
/** A handle: a domain name of at least two labels (atproto.com/specs/handle). */
const HANDLE =
  /^(?=.{1,253}$)(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;
/** A record key: 1 to 512 of the characters the spec allows, never "." or ".." (atproto.com/specs/record-key). */
export const RKEY = /^(?!\.{1,2}$)[A-Za-z0-9._:~-]{1,512}$/;

export function isBlueskyHost(url: URL): boolean {
  return BSKY_HOSTS.has(url.hostname.toLowerCase());
}

/** `https://bsky.app/profile/<handle or did>`, with an optional trailing slash. */
export function parseBlueskyProfileUrl(url: URL): { actor: string } | null {
  if (!isPlainBskyUrl(url)) return null;
  const match = /^\/profile\/([^/]+)\/?$/.exec(url.pathname);
  const actor = match && actorOf(match[1]);
  return actor ? { actor } : null;
}

/** `https://bsky.app/profile/<handle or did>/post/<rkey>`. */
export function parseBlueskyPostUrl(url: URL): { actor: string; rkey: string } | null {
  if (!isPlainBskyUrl(url)) return null;
  const match = /^\/profile\/([^/]+)\/post\/([^/]+)\/?$/.exec(url.pathname);
  const actor = match && actorOf(match[1]);
  if (!match || !actor || !RKEY.test(match[2])) return null;
  return { actor, rkey: match[2] };
}

/** `at://<did>/app.bsky.feed.post/<rkey>` → its parts; null for any other shape. */
export function parsePostUri(uri: string): { did: string; rkey: string } | null {
  const match = /^at:\/\/([^/]+)\/app\.bsky\.feed\.post\/([^/]+)$/.exec(uri);
  if (!match || !DID.test(match[1]) || !RKEY.test(match[2])) return null;
  return { did: match[1], rkey: match[2] };
}

export function postUri(did: string, rkey: string): string {
  return `at://${did}/${POST_COLLECTION}/${rkey}`;
}

/** The post's page, by DID: a handle can change hands, the DID stays. */
export function blueskyPostUrl(did: string, rkey: string): string {
  return `${BSKY_WEB_ORIGIN}/profile/${did}/post/${rkey}`;
}

export function blueskyProfileUrl(handleOrDid: string): string {
  return `${BSKY_WEB_ORIGIN}/profile/${handleOrDid}`;
}

function actorOf(segment: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return null;
  }
  if (DID.test(decoded)) return decoded;
  return HANDLE.test(decoded) ? decoded.toLowerCase() : null;
}

function isPlainBskyUrl(url: URL): boolean {
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.username === '' &&
    url.password === '' &&
    isBlueskyHost(url)
  );
}
