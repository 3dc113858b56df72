/**
 * Telegram's public hosts. A channel is tracked by the URL a person copies, whichever host serves the pages
 * (VERBATIM_TELEGRAM_BASE_URL may point at a mirror or a test server).
 */
export const TELEGRAM_HOSTS = new Set(['t.me', 'telegram.me', 'www.t.me', 'www.telegram.me']);

/** Public channel usernames: a letter, then letters, digits and underscores, 4 to 32 characters in all. */
const CHANNEL = /^[A-Za-z][A-Za-z0-9_]{3,31}$/;
const MESSAGE_ID = /^[1-9][0-9]{0,15}$/;

/** First path segments t.me uses for itself, never channel names. */
const RESERVED = new Set([
  'addemoji',
  'addlist',
  'addstickers',
  'addtheme',
  'boost',
  'confirmphone',
  'contact',
  'giftcode',
  'invoice',
  'joinchat',
  'login',
  'proxy',
  'setlanguage',
  'share',
  'socks',
]);

export interface TelegramPostLocation {
  channel: string;
  messageId: number;
}

/**
 * `https://t.me/<channel>` or `https://t.me/s/<channel>` (telegram.me, www., http too), or the same paths on
 * `extraHost` (the configured base URL's host). Pure: no I/O.
 */
export function parseTelegramChannelUrl(url: URL, extraHost?: string): string | null {
  const segments = pathSegments(url, extraHost);
  if (!segments) return null;
  const rest = segments[0] === 's' ? segments.slice(1) : segments;
  return rest.length === 1 && isChannelName(rest[0]) ? rest[0] : null;
}

/** `https://t.me/<channel>/<id>` or `https://t.me/s/<channel>/<id>` (a query such as `?single` is ignored). */
export function parseTelegramPostUrl(url: URL, extraHost?: string): TelegramPostLocation | null {
  const segments = pathSegments(url, extraHost);
  if (!segments) return null;
  const rest = segments[0] === 's' ? segments.slice(1) : segments;
  if (rest.length !== 2 || !isChannelName(rest[0]) || !MESSAGE_ID.test(rest[1])) return null;
  return { channel: rest[0], messageId: Number(rest[1]) };
}

export function isChannelName(name: string | undefined): name is string {
  return name !== undefined && CHANNEL.test(name) && !RESERVED.has(name.toLowerCase());
}

/** Where a person opens the channel, whatever host the pages were read from. */
export function publicChannelUrl(channel: string): string {
  return `https://t.me/${channel}`;
}

export function publicPostUrl(channel: string, messageId: number): string {
  return `https://t.me/${channel}/${messageId}`;
}

/** The web preview of a channel on the configured base URL, with `?before=` when paging back. */
export function previewUrl(baseUrl: string, channel: string, before?: number): URL {
  const url = new URL(`s/${encodeURIComponent(channel)}`, withSlash(baseUrl));
  if (before !== undefined) url.searchParams.set('before', String(before));
  return url;
}

/** One post as its embed widget, the page Telegram's own widget script loads. */
export function embedUrl(baseUrl: string, channel: string, messageId: number): URL {
  const url = new URL(`${encodeURIComponent(channel)}/${messageId}`, withSlash(baseUrl));
  url.searchParams.set('embed', '1');
  return url;
}

function pathSegments(url: URL, extraHost?: string): string[] | null {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username !== '' || url.password !== '') return null;
  const host = url.host.toLowerCase();
  if (!TELEGRAM_HOSTS.has(host) && host !== extraHost?.toLowerCase()) return null;
  const segments = url.pathname.split('/').filter((s, i, all) => s !== '' || i !== all.length - 1);
  // "/name" splits into ["", "name"]; a trailing slash leaves a final "" that the filter dropped
  if (segments[0] !== '') return null;
  const rest = segments.slice(1);
  return rest.length > 0 && rest.every((s) => s !== '') ? rest : null;
}

function withSlash(baseUrl: string): string {
  return baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
}
