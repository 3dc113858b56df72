import { ACCOUNT_PLATFORM_ID, type MementoLookup } from '@app/persistence';
import {
  normalizePageUrl,
  parseBlueskyPostUrl,
  parseBlueskyProfileUrl,
  parseMastodonAccountUrl,
  parseMastodonPostUrl,
  parseTelegramChannelUrl,
  parseTelegramPostUrl,
  parseXAccountUrl,
  parseXPostUrl,
  postUri,
  withoutXShareParams,
  xPostUrl,
} from '@app/sources';

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
 * What a capture of `original` may be held under: URLs, the exact one first, and for a platform's link the
 * account and post it names (platformLinkOf). A link as people share it carries what the archive never keys a
 * statement by: a fragment, tracking tags (utm_*, click ids: normalizePageUrl, the normaliser of web pages' and
 * feeds' identities), X's share parameters (`?s=20&t=…`), upper case in the host, a trailing dot on the host
 * (the DNS root: `example.org.` is `example.org`). Parameters that may pick content are kept. The host is tried
 * with and without that dot, for a page first fetched with it.
 */
export function lookupOf(original: string): MementoLookup {
  const url = new URL(normalizePageUrl(original));
  if (url.hostname.length > 1 && url.hostname.endsWith('.') && !url.hostname.endsWith('..'))
    url.hostname = url.hostname.slice(0, -1);
  const normal = withoutXShareParams(url);
  const dotted = new URL(normal.href);
  if (!dotted.hostname.endsWith('.')) dotted.hostname = `${dotted.hostname}.`;
  const { url: platformUrl, ...named } = platformLinkOf(normal) ?? {};
  const urls = [...new Set([original, normal.href, dotted.href, ...(platformUrl ? [platformUrl] : [])])];
  return { urls, ...named };
}

type PlatformLink = Omit<MementoLookup, 'urls'> & { url?: string };

/**
 * The account (and post) a platform's link names, found as the platform finds them: X, Mastodon and Bluesky
 * handles and Telegram usernames ignore case (so they are compared in lower case); X and Telegram links come
 * in several host and path forms; a Bluesky link names its account by handle or DID (its statement's URL, by
 * DID). An X post's `url` is the form its statement is held under, for a post of an account since renamed. Not
 * for a link with a parameter left: one may pick what the page shows, and such a link, as any other, names a
 * page we do not hold.
 */
function platformLinkOf(url: URL): PlatformLink | null {
  if (url.search !== '') return null;
  const named = (platform: string, name: string, postId?: string): PlatformLink => ({
    account: { platform, name },
    postId,
  });
  const xPost = parseXPostUrl(url);
  if (xPost)
    return {
      ...named('x', xPost.username.toLowerCase(), xPost.postId),
      url: xPostUrl(xPost.username, xPost.postId),
    };
  const xProfile = parseXAccountUrl(url);
  if (xProfile) return named('x', xProfile.username.toLowerCase());
  // a handle comes lower-cased from the parser; a DID is kept as it is
  const bskyPost = parseBlueskyPostUrl(url);
  if (bskyPost) return named('bluesky', bskyPost.actor, postUri(ACCOUNT_PLATFORM_ID, bskyPost.rkey));
  const bskyProfile = parseBlueskyProfileUrl(url);
  if (bskyProfile) return named('bluesky', bskyProfile.actor);
  const telegramPost = parseTelegramPostUrl(url);
  if (telegramPost)
    return named('telegram', telegramPost.channel.toLowerCase(), String(telegramPost.messageId));
  const channel = parseTelegramChannelUrl(url);
  if (channel) return named('telegram', channel.toLowerCase());
  // Mastodon runs on any host: tried last, after the platforms whose hosts are known. Its handle is
  // `user@host`, with the host (and port) its URL gives
  const handle = (ref: { username: string; host: string }) => `${ref.username}@${ref.host}`.toLowerCase();
  const mastodonPost = parseMastodonPostUrl(url);
  if (mastodonPost) return named('mastodon', handle(mastodonPost), mastodonPost.statusId);
  const mastodonProfile = parseMastodonAccountUrl(url);
  return mastodonProfile ? named('mastodon', handle(mastodonProfile)) : null;
}
