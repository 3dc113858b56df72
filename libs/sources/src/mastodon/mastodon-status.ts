import { type MediaItem, type StatementContent, htmlToPlainText, toUtcTimestamp } from '@app/core';
import {
  type MastodonMediaAttachment,
  type MastodonStatus,
  type MastodonStatusEdit,
} from './mastodon-entities';
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
    media: mediaItems(shown.media_attachments),
    isReply: status.in_reply_to_id !== null,
    isRepost: status.reblog !== null,
    isQuote: shown.quote !== null && shown.quote !== undefined,
    parserVersion: MASTODON_PARSER_VERSION,
  };
}

/**
 * An earlier version of a status from its edit history, recorded as we would have recorded it then: the
 * edit's words, warning and media over the status's own id, URL, times and flags (an edit cannot change
 * those). `base` is the status's own content (statusToContent), converted once for all its edits: converting the
 * status per edit cost the status's size once for every edit a history lists. `text` is the edit's HTML as text.
 * The edit carries no language, so the status's current one stands in. The original (`original`) has no edit
 * time; every later version was edited at its `created_at` (Mastodon stamps each snapshot with the status's
 * `edited_at` of that moment).
 */
export function editToContent(
  base: StatementContent,
  edit: MastodonStatusEdit,
  text: string,
  original: boolean,
): StatementContent {
  return {
    ...base,
    editedAt: original ? null : toUtcTimestamp(edit.created_at),
    title: edit.spoiler_text || null,
    text,
    html: edit.content,
    media: mediaItems(edit.media_attachments),
  };
}

function mediaItems(attachments: MastodonMediaAttachment[]): MediaItem[] {
  return attachments.flatMap((m): MediaItem[] => {
    const url = m.url ?? m.remote_url;
    // Mastodon names the kind, never the file type
    return url ? [{ kind: m.type, url, mediaType: null, description: m.description || null }] : [];
  });
}
