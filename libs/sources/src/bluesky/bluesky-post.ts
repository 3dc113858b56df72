import { LINK_PREVIEW_IMAGE_KIND, type MediaItem, type StatementContent, toUtcTimestamp } from '@app/core';
import { type EmbedView, type PostView } from './bluesky-entities';
import { blueskyPostUrl, parsePostUri } from './bluesky-urls';

export const BLUESKY_PARSER_VERSION = 'bluesky-appview/1';

const QUOTE_EMBEDS = new Set(['app.bsky.embed.record', 'app.bsky.embed.recordWithMedia']);

/**
 * A post as Verbatim records it: the record's words, language and time, keyed by its at:// URI, with its CID,
 * so that a rewritten record (Bluesky has no edit history: an edit is an `update` of the record) is a new
 * version. Media are the AppView's hydrated views of the record's embed. Null for a URI of another shape.
 */
export function postToContent(view: PostView): StatementContent | null {
  const ref = parsePostUri(view.uri);
  if (!ref || ref.did !== view.author.did) return null;
  const { record } = view;
  return {
    platform: 'bluesky',
    account: view.author.handle,
    postId: view.uri,
    url: blueskyPostUrl(ref.did, ref.rkey),
    authoredAt: toUtcTimestamp(record.createdAt),
    editedAt: null,
    title: null,
    text: record.text,
    html: null,
    language: record.langs?.[0] ?? null,
    media: view.embed ? mediaOf(view.embed) : [],
    isReply: record.reply !== undefined,
    isRepost: false,
    isQuote: record.embed !== undefined && QUOTE_EMBEDS.has(record.embed.$type),
    parserVersion: BLUESKY_PARSER_VERSION,
    cid: view.cid,
  };
}

function mediaOf(embed: EmbedView): MediaItem[] {
  const images = (embed.images ?? []).flatMap((image): MediaItem[] => {
    const url = image.fullsize ?? image.thumb;
    return url ? [{ kind: 'image', url, mediaType: null, description: image.alt || null }] : [];
  });
  const video: MediaItem[] = embed.playlist
    ? [
        {
          kind: 'video',
          url: embed.playlist,
          mediaType: 'application/x-mpegURL',
          description: embed.alt || null,
        },
      ]
    : [];
  return [...images, ...video, ...linkCard(embed), ...(embed.media ? mediaOf(embed.media) : [])];
}

/**
 * A link card's thumbnail as the AppView showed it, described by the page's title and address (the link is in
 * the record's own embed). Left out of the content hash: the thumbnail is not part of what the author edits.
 */
function linkCard({ external }: EmbedView): MediaItem[] {
  if (!external?.thumb || !/^https?:\/\//i.test(external.uri)) return [];
  const said = [external.title, external.uri].filter((s) => s);
  return [
    { kind: LINK_PREVIEW_IMAGE_KIND, url: external.thumb, mediaType: null, description: said.join('\n') },
  ];
}
