import {
  LINK_PREVIEW_IMAGE_KIND,
  LINK_PREVIEW_KIND,
  type MediaItem,
  type StatementContent,
  htmlToPlainText,
} from '@app/core';
import { type TelegramMessage } from './telegram-message';
import { publicPostUrl } from './telegram-urls';

export const TELEGRAM_PARSER_VERSION = 'telegram-web/1';

/**
 * A message as Verbatim records it. Only what the author controls goes into the content: the view count
 * changes by the minute and would make every re-read a new version, so it stays in the raw page. Telegram
 * shows that a message was edited but never when, so `editedAt` stays null and an edit is found by comparing
 * the text. The signature and the forward's origin are kept in the raw page too (the record has no field for
 * them yet); a forward is flagged as a repost.
 */
export function messageToContent(message: TelegramMessage, handle: string): StatementContent {
  const html = message.textHtml;
  return {
    platform: 'telegram',
    account: handle,
    postId: String(message.id),
    url: publicPostUrl(message.channel, message.id),
    authoredAt: message.date,
    editedAt: null,
    title: null,
    text: html === null ? '' : htmlToPlainText(html),
    html,
    language: null,
    media: mediaOf(message),
    isReply: message.replyTo !== null,
    isRepost: message.forwardedFrom !== null,
    isQuote: false,
    parserVersion: TELEGRAM_PARSER_VERSION,
  };
}

function mediaOf(message: TelegramMessage): MediaItem[] {
  const media: MediaItem[] = [
    ...message.photos.map((url) => item('image', url, null)),
    ...message.videos.map((url) => item('video', url, null)),
  ];
  const preview = message.linkPreview;
  if (preview) {
    const said = [preview.siteName, preview.title, preview.description].filter((s) => s !== null);
    media.push(item(LINK_PREVIEW_KIND, preview.url, said.length > 0 ? said.join('\n') : null));
    if (preview.imageUrl) media.push(item(LINK_PREVIEW_IMAGE_KIND, preview.imageUrl, preview.title));
  }
  return media;
}

function item(kind: string, url: string, description: string | null): MediaItem {
  return { kind, url, mediaType: null, description };
}
