import { type MediaItem, type StatementContent, htmlToPlainText, toUtcTimestamp } from '@app/core';
import { type MastodonStatus } from './mastodon-entities';
import { handleFor } from './mastodon-urls';

export const MASTODON_PARSER_VERSION = 'mastodon/1';

/**
 * A status as Verbatim records it. `host` is the instance it was read from (with port, if any).
 * A boost keeps its own id, URL and times but shows the boosted post's words and media:
 * that is what appeared on the account's timeline.
 */
export function statusToContent(status: MastodonStatus, host: string): StatementContent {
  const shown = status.reblog ?? status;
  return {
    platform: 'mastodon',
    account: handleFor(status.account.acct, host),
    postId: status.id,
    url: status.url ?? status.uri,
    authoredAt: toUtcTimestamp(status.created_at),
    editedAt: toUtcTimestamp(status.edited_at),
    title: shown.spoiler_text || null,
    text: htmlToPlainText(shown.content),
    html: shown.content,
    language: shown.language || null,
    media: shown.media_attachments.flatMap((m): MediaItem[] => {
      const url = m.url ?? m.remote_url;
      // Mastodon names the kind, never the file type
      return url ? [{ kind: m.type, url, mediaType: null, description: m.description || null }] : [];
    }),
    isReply: status.in_reply_to_id !== null,
    isRepost: status.reblog !== null,
    isQuote: shown.quote !== null && shown.quote !== undefined,
    parserVersion: MASTODON_PARSER_VERSION,
  };
}
