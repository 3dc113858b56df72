/**
 * The address of a post on one of the platforms we capture, read from a URL a page links or embeds:
 *
 *   X         https://x.com/<user>/status/<id> (twitter.com, mobile., www.)
 *   Bluesky   https://bsky.app/profile/<handle or did>/post/<rkey>, and at://<did>/app.bsky.feed.post/<rkey>
 *   Telegram  https://t.me/<channel>/<id> (t.me/s/…, telegram.me, www.)
 *   Mastodon  https://<host>/@<user>/<id> (any host: Mastodon instances are everywhere)
 *
 * Pure string work over a bounded URL: no I/O. The connectors parse the same shapes for capture; these are
 * kept apart because the domain core imports nothing of ours.
 */

export type QuotePlatform = 'x' | 'bluesky' | 'mastodon' | 'telegram';

/** A post named by a URL: the account the URL names and the platform's id for the post on it. */
export interface PostLink {
  platform: QuotePlatform;
  /** X username, Bluesky handle or DID, Telegram channel, Mastodon `user@host` */
  account: string;
  /** X status id, Bluesky record key, Telegram message id, Mastodon status id (on `host`) */
  id: string;
  /** where a person opens it (and what the connectors capture): canonical, without tracking parameters */
  url: string;
}

/** Longer than any post URL: a longer href is not parsed at all, so a hostile page costs nothing per link. */
export const MAX_POST_URL = 2048;

const X_HOSTS = new Set(['x.com', 'twitter.com', 'mobile.twitter.com', 'mobile.x.com']);
const X_USER = /^[A-Za-z0-9_]{1,15}$/;
const X_ID = /^[1-9][0-9]{0,18}$/;
// X's own pages: x.com/i/web/status/<id> names no account
const X_RESERVED = new Set(['i', 'intent', 'share', 'home', 'search', 'hashtag', 'explore']);

const BSKY_HOSTS = new Set(['bsky.app']);
const DID = /^did:(?:plc:[a-z2-7]{24}|web:[a-zA-Z0-9.%-]{1,253})$/;
const BSKY_HANDLE =
  /^(?=.{1,253}$)(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;
const RKEY = /^(?!\.{1,2}$)[A-Za-z0-9._:~-]{1,512}$/;

const TELEGRAM_HOSTS = new Set(['t.me', 'telegram.me']);
const TELEGRAM_CHANNEL = /^[A-Za-z][A-Za-z0-9_]{3,31}$/;
const TELEGRAM_ID = /^[1-9][0-9]{0,15}$/;
// t.me paths that are Telegram's own, never channels (t.me/c/<id>/<msg> is a private chat's message)
const TELEGRAM_RESERVED = new Set(['c', 's', 'joinchat', 'addstickers', 'share', 'proxy', 'socks', 'login']);

const MASTODON_USER = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?$/;
const MASTODON_ID = /^[0-9]{1,32}$/;

/** The post a URL names, or null when it names none (or is not a URL). */
export function parsePostUrl(href: string): PostLink | null {
  if (href.length > MAX_POST_URL) return null;
  let url: URL;
  try {
    url = new URL(href.trim());
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) return null;
  const host = url.hostname.toLowerCase().replace(/^www\./, '');
  const segments = url.pathname.split('/').filter((s) => s.length > 0);
  if (X_HOSTS.has(host)) return xPost(segments);
  if (BSKY_HOSTS.has(host)) return blueskyPost(segments);
  if (TELEGRAM_HOSTS.has(host)) return telegramPost(segments);
  return mastodonPost(url, segments);
}

function xPost(segments: string[]): PostLink | null {
  const [user, status, id] = segments;
  if (segments.length < 3 || (status !== 'status' && status !== 'statuses')) return null;
  if (!X_USER.test(user) || X_RESERVED.has(user.toLowerCase()) || !X_ID.test(id)) return null;
  // /photo/1 and /video/1 name the same post; anything else after the id is not a post page
  if (segments.length > 3 && !(segments.length === 5 && /^(?:photo|video)$/.test(segments[3]))) return null;
  return { platform: 'x', account: user, id, url: `https://x.com/${user}/status/${id}` };
}

function blueskyPost(segments: string[]): PostLink | null {
  if (segments.length !== 4 || segments[0] !== 'profile' || segments[2] !== 'post') return null;
  const actor = decode(segments[1]);
  if (actor === null || !(DID.test(actor) || BSKY_HANDLE.test(actor)) || !RKEY.test(segments[3])) return null;
  return blueskyLink(actor, segments[3]);
}

/** `at://<did or handle>/app.bsky.feed.post/<rkey>` (what a Bluesky embed names), or null. */
export function parseBlueskyPostUri(uri: string): PostLink | null {
  if (uri.length > MAX_POST_URL) return null;
  const match = /^at:\/\/([^/]{1,253})\/app\.bsky\.feed\.post\/([^/]{1,512})$/.exec(uri.trim());
  if (!match || !(DID.test(match[1]) || BSKY_HANDLE.test(match[1])) || !RKEY.test(match[2])) return null;
  return blueskyLink(match[1], match[2]);
}

function blueskyLink(actor: string, rkey: string): PostLink {
  // handles are case-insensitive domain names; DIDs are case-sensitive and kept as they are
  const account = actor.startsWith('did:') ? actor : actor.toLowerCase();
  return {
    platform: 'bluesky',
    account,
    id: rkey,
    url: `https://bsky.app/profile/${account}/post/${rkey}`,
  };
}

function telegramPost(segments: string[]): PostLink | null {
  const rest = segments[0] === 's' ? segments.slice(1) : segments;
  const [channel, id] = rest;
  if (rest.length !== 2 || !TELEGRAM_CHANNEL.test(channel) || !TELEGRAM_ID.test(id)) return null;
  if (TELEGRAM_RESERVED.has(channel.toLowerCase())) return null;
  return { platform: 'telegram', account: channel, id, url: `https://t.me/${channel}/${id}` };
}

/** `/@user/<id>` on any host (also `/@user/<id>/embed`, what Mastodon's embed code frames). */
function mastodonPost(url: URL, segments: string[]): PostLink | null {
  const embed = segments.length === 3 && segments[2] === 'embed';
  if (segments.length !== 2 && !embed) return null;
  const [at, id] = segments;
  if (!at.startsWith('@') || !MASTODON_ID.test(id)) return null;
  const user = at.slice(1);
  // /@user@other/<id> is a remote account's post seen through this instance, under this instance's id: not
  // the address of the post on its home instance, where its author's statements are captured
  if (!MASTODON_USER.test(user)) return null;
  const host = url.host.toLowerCase();
  return {
    platform: 'mastodon',
    account: `${user}@${host}`,
    id,
    url: `${url.protocol}//${host}/@${user}/${id}`,
  };
}

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** Identity of a post across the ways a page may name it: platform, account (any case), id. */
export function postKey(link: Pick<PostLink, 'platform' | 'account' | 'id'>): string {
  return `${link.platform}\u0000${link.account.toLowerCase()}\u0000${link.id}`;
}
