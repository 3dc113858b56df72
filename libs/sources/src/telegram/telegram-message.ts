import { type Element } from 'domhandler';
import { toUtcTimestamp } from '@app/core';
import {
  absoluteUrl,
  all,
  attribute,
  backgroundImageUrl,
  hasClass,
  innerHtml,
  one,
  textOf,
} from './telegram-dom';
import { isChannelName, parseTelegramPostUrl } from './telegram-urls';

/** One `.tgme_widget_message` of the web preview or an embed, as the page showed it. */
export interface TelegramMessage {
  /** the channel as `data-post` spells it (Telegram's canonical capitalisation) */
  channel: string;
  id: number;
  /** the other message ids an album (grouped media) stands for: each photo links to `/<channel>/<id>?single` */
  albumIds: number[];
  /** "Channel created", "pinned …": shown in the listing, not a statement */
  isService: boolean;
  /** the content of `.tgme_widget_message_text` exactly as sent; null when the message has no text */
  textHtml: string | null;
  /** ISO 8601 UTC from `time[datetime]` */
  date: string | null;
  /** the permalink of the date link */
  url: string | null;
  /** the word "edited" beside the date; Telegram gives no edit time and no history */
  edited: boolean;
  /** "1.2K" read as 1200; null when the page shows none */
  views: number | null;
  /** the signature of the admin who posted, in channels that sign messages */
  authorSignature: string | null;
  /** the channel's display name as the message header shows it */
  ownerName: string | null;
  forwardedFrom: { name: string; url: string | null } | null;
  replyTo: { url: string; messageId: number | null } | null;
  photos: string[];
  videos: string[];
  linkPreview: LinkPreview | null;
}

export interface LinkPreview {
  url: string;
  siteName: string | null;
  title: string | null;
  description: string | null;
  imageUrl: string | null;
}

/** Reads one message element; null when its `data-post` is not `<channel>/<id>`. */
export function parseMessage(element: Element, source: string): TelegramMessage | null {
  const post = parseDataPost(attribute(element, 'data-post'));
  if (!post) return null;
  const text = one('.tgme_widget_message_text', element);
  const dateLink = one('a.tgme_widget_message_date', element);
  const author = one('.tgme_widget_message_from_author', element);
  return {
    ...post,
    albumIds: albumIdsOf(element, post),
    isService: hasClass(element, 'service_message'),
    textHtml: text ? innerHtml(text, source) : null,
    date: toUtcTimestamp(attribute(dateLink && one('time[datetime]', dateLink), 'datetime')),
    url: absoluteUrl(attribute(dateLink, 'href')),
    edited: isEdited(one('.tgme_widget_message_meta', element)),
    views: parseViews(textOf(one('.tgme_widget_message_views', element))),
    authorSignature: textOf(author) || null,
    ownerName: textOf(one('.tgme_widget_message_owner_name', element)) || null,
    forwardedFrom: forwardedFromOf(element),
    replyTo: replyToOf(element),
    photos: unique(all('.tgme_widget_message_photo_wrap', element).map(backgroundImageUrl)),
    videos: unique(
      all('video.tgme_widget_message_video', element).map((v) => absoluteUrl(attribute(v, 'src'))),
    ),
    linkPreview: linkPreviewOf(element),
  };
}

/**
 * View counts as the page abbreviates them: "436", "1.2K", "436.6K", "2M". The abbreviation is all there
 * is, so 1.2K is read as 1200.
 */
export function parseViews(shown: string): number | null {
  const compact = shown.replace(/[\s,]/g, '');
  const match = /^(\d+(?:\.\d+)?)([KMB]?)$/i.exec(compact);
  if (!match) return null;
  const scale = { '': 1, K: 1e3, M: 1e6, B: 1e9 }[match[2].toUpperCase() as '' | 'K' | 'M' | 'B'];
  return Math.round(Number(match[1]) * scale);
}

function parseDataPost(value: string | null): { channel: string; id: number } | null {
  if (!value) return null;
  const slash = value.lastIndexOf('/');
  const channel = value.slice(0, slash);
  const id = value.slice(slash + 1);
  if (slash < 0 || !isChannelName(channel) || !/^[1-9][0-9]{0,15}$/.test(id)) return null;
  return { channel, id: Number(id) };
}

/** The meta line reads "Signature, edited  12:00": "edited" is a text node of its own, beside the elements. */
function isEdited(meta: Element | null): boolean {
  if (!meta) return false;
  return meta.children.some((child) => child.type === 'text' && /\bedited\b/.test(child.data));
}

/** Grouped media link each item to `/<channel>/<id>?single`: the ids the album's members have. */
function albumIdsOf(element: Element, post: { channel: string; id: number }): number[] {
  const ids = new Set<number>();
  for (const item of all('.tgme_widget_message_grouped_wrap a[href]', element)) {
    const target = postOf(attribute(item, 'href'));
    if (target && target.channel.toLowerCase() === post.channel.toLowerCase() && target.messageId !== post.id)
      ids.add(target.messageId);
  }
  return [...ids].sort((a, b) => a - b);
}

function forwardedFromOf(element: Element): TelegramMessage['forwardedFrom'] {
  const block = one('.tgme_widget_message_forwarded_from', element);
  if (!block) return null;
  const name = one('.tgme_widget_message_forwarded_from_name', block);
  // a hidden sender has no link, only the name after "Forwarded from"
  const shown = name ? textOf(name) : textOf(block).replace(/^Forwarded from\s*/i, '');
  return { name: shown, url: absoluteUrl(attribute(name, 'href')) };
}

function replyToOf(element: Element): TelegramMessage['replyTo'] {
  const url = absoluteUrl(attribute(one('a.tgme_widget_message_reply', element), 'href'));
  return url ? { url, messageId: postOf(url)?.messageId ?? null } : null;
}

function linkPreviewOf(element: Element): LinkPreview | null {
  const preview = one('a.tgme_widget_message_link_preview', element);
  const url = absoluteUrl(attribute(preview, 'href'));
  if (!preview || !url) return null;
  return {
    url,
    siteName: textOf(one('.link_preview_site_name', preview)) || null,
    title: textOf(one('.link_preview_title', preview)) || null,
    description: textOf(one('.link_preview_description', preview)) || null,
    imageUrl: backgroundImageUrl(one('.link_preview_image, .link_preview_right_image', preview)),
  };
}

function postOf(href: string | null): { channel: string; messageId: number } | null {
  const url = absoluteUrl(href);
  if (!url) return null;
  return parseTelegramPostUrl(new URL(url));
}

function unique(values: (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== null))];
}
