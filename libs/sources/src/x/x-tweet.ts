import { LINK_PREVIEW_IMAGE_KIND, type MediaItem, type StatementContent, toUtcTimestamp } from '@app/core';
import { type XIncludes, type XMedia, type XTweet, type XUrlEntity } from './x-entities';
import { snowflakeTime } from './x-ids';
import { xPostUrl } from './x-urls';

export const X_API_PARSER_VERSION = 'x-api/1';

/** X writes `&`, `<` and `>` as entities in post text (and only those). */
export function unescapeXText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * A post as Verbatim records it. An edit on X is a new post with a new id, so the statement is keyed by the
 * FIRST id of `edit_history_tweet_ids` (every version shares it) and its URL is that first post's; the
 * version's own id is in the raw response. `authoredAt` is the first version's time (carried in its snowflake
 * id when only a later version was read), `editedAt` the time of the version read. A long post's words are
 * `note_tweet.text` (`text` is cut at 280 characters). A repost shows the reposted words when the API included
 * them (the `referenced_tweets.id` expansion), as the timeline shows them.
 */
export function tweetToContent(tweet: XTweet, includes: XIncludes, username: string): StatementContent {
  const firstId = tweet.edit_history_tweet_ids[0];
  const edited = firstId !== tweet.id;
  const references = tweet.referenced_tweets ?? [];
  const repost = references.find((r) => r.type === 'retweeted');
  const shown = (repost && includes?.tweets?.find((t) => t.id === repost.id)) || tweet;
  return {
    platform: 'x',
    account: username,
    postId: firstId,
    url: xPostUrl(username, firstId),
    authoredAt: edited ? snowflakeTime(firstId) : toUtcTimestamp(tweet.created_at),
    editedAt: edited ? (toUtcTimestamp(tweet.created_at) ?? snowflakeTime(tweet.id)) : null,
    title: null,
    text: unescapeXText(shown.note_tweet?.text ?? shown.text),
    html: null,
    language: tweet.lang && tweet.lang !== 'und' ? tweet.lang : null,
    media: [
      ...(shown.attachments?.media_keys ?? []).flatMap((key) => {
        const media = includes?.media?.find((m) => m.media_key === key);
        const item = media && mediaItem(media);
        return item ? [item] : [];
      }),
      ...(shown.entities?.urls ?? []).flatMap(linkPreviewImage),
    ],
    isReply: references.some((r) => r.type === 'replied_to'),
    isRepost: repost !== undefined,
    isQuote: references.some((r) => r.type === 'quoted'),
    parserVersion: X_API_PARSER_VERSION,
  };
}

/**
 * The largest preview image X showed for a link it unwound, described by the page's title and address (the
 * link itself is in the text). Left out of the content hash: X makes it after the post, and may remake it.
 */
function linkPreviewImage(link: XUrlEntity): MediaItem[] {
  const url = link.unwound_url ?? link.expanded_url;
  const image = [...(link.images ?? [])].sort((a, b) => (b.width ?? 0) - (a.width ?? 0))[0];
  if (!url || link.media_key || !image) return [];
  const said = [link.title, url].filter((s) => s);
  return [{ kind: LINK_PREVIEW_IMAGE_KIND, url: image.url, mediaType: null, description: said.join('\n') }];
}

/** A photo's file, a video's best MP4 (its still when X gave no variants); null when X gave no URL at all. */
function mediaItem(media: XMedia): MediaItem | null {
  const mp4 = (media.variants ?? [])
    .filter((v) => v.content_type === 'video/mp4')
    .sort((a, b) => (b.bit_rate ?? 0) - (a.bit_rate ?? 0))[0];
  const url = media.url ?? mp4?.url ?? media.preview_image_url;
  if (!url) return null;
  return {
    kind: media.type,
    url,
    mediaType: !media.url && mp4 ? 'video/mp4' : null,
    description: media.alt_text || null,
  };
}
