import { type Document } from 'domhandler';
import { all, attribute, one, parseHtml, textOf } from './telegram-dom';
import { type TelegramMessage, parseMessage } from './telegram-message';

/** A channel's web preview page (`/s/<channel>`, `/s/<channel>?before=<id>`), as read. */
export interface ChannelPage {
  /**
   * Whether the page holds a message history. Channels without a public preview (private channels, groups,
   * users, bots, unknown names) are redirected to their info page, which has none.
   */
  hasMessageHistory: boolean;
  /** the channel's name as the header shows it */
  title: string | null;
  /** the username from the header, without "@" */
  username: string | null;
  /** in page order (oldest first), one per id; service messages included (their ids count for gaps) */
  messages: TelegramMessage[];
  /** the `before` of the next older page, from `a.tme_messages_more[data-before]` or `<link rel="prev">` */
  olderBefore: number | null;
}

/** A post's embed widget (`/<channel>/<id>?embed=1`), as read. */
export type EmbedPage =
  | { kind: 'message'; message: TelegramMessage }
  /** `.tgme_widget_message_error`: "Post not found" and any other error the widget shows instead of a post */
  | { kind: 'error'; text: string }
  /** neither a message nor an error: not the widget we know */
  | { kind: 'unrecognised' };

export function parseChannelPage(body: Buffer | string): ChannelPage {
  const { document, source } = parseHtml(body);
  return {
    hasMessageHistory: one('.tgme_channel_history', document) !== null,
    title:
      textOf(one('.tgme_channel_info_header_title', document)) ||
      attribute(one('meta[property="og:title"]', document), 'content'),
    username: textOf(one('.tgme_channel_info_header_username', document)).replace(/^@/, '') || null,
    messages: messagesOf(document, source),
    olderBefore: olderBeforeOf(document),
  };
}

export function parseEmbedPage(body: Buffer | string): EmbedPage {
  const { document, source } = parseHtml(body);
  const error = one('.tgme_widget_message_error', document);
  if (error) return { kind: 'error', text: textOf(error) };
  const [message] = messagesOf(document, source);
  return message ? { kind: 'message', message } : { kind: 'unrecognised' };
}

function messagesOf(document: Document, source: string): TelegramMessage[] {
  const byId = new Map<number, TelegramMessage>();
  let outerEnd = -1;
  for (const element of all('.tgme_widget_message[data-post]', document)) {
    // a message inside another is hostile markup, never Telegram's: reading it would search the outer
    // message's subtree once per level (150 nested messages over 570 KB took 48 s)
    if (element.startIndex !== null && element.startIndex < outerEnd) continue;
    outerEnd = element.endIndex ?? outerEnd;
    const message = parseMessage(element, source);
    // repeated: the first one shown is the one kept
    if (message && !byId.has(message.id)) byId.set(message.id, message);
  }
  return [...byId.values()];
}

function olderBeforeOf(document: Document): number | null {
  const more = attribute(one('a.tme_messages_more[data-before]', document), 'data-before');
  if (more && /^[1-9][0-9]{0,15}$/.test(more)) return Number(more);
  const prev = attribute(one('link[rel="prev"][href]', document), 'href');
  if (!prev) return null;
  let before: string | null;
  try {
    before = new URL(prev, 'https://t.me/').searchParams.get('before');
  } catch {
    return null;
  }
  return before && /^[1-9][0-9]{0,15}$/.test(before) ? Number(before) : null;
}

/**
 * Why a response to `/s/<channel>` is not the channel's web preview, or null when it is. Telegram redirects
 * channels without a public preview to `/<channel>`, whose info page has no message history.
 */
export function missingPreviewReason(finalUrl: string, page: ChannelPage): string | null {
  let path: string;
  try {
    path = new URL(finalUrl).pathname;
  } catch {
    path = '';
  }
  if (!path.startsWith('/s/')) return `the web preview redirects to ${path || finalUrl}`;
  if (!page.hasMessageHistory) return 'the page has no message history';
  return null;
}
