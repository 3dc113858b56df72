import { z } from 'zod';
import { type MediaItem, type StatementContent, htmlToPlainText, toUtcTimestamp } from '@app/core';
import { type ResolvedAccount } from '../connector';
import { checkShape } from '../json-body';
import { invalid } from './x-entities';
import { X_ID, snowflakeTime } from './x-ids';
import { unescapeXText } from './x-tweet';
import { xPostUrl, xProfileUrl } from './x-urls';

// The public embed endpoints' bodies: the syndication CDN's `tweet-result` (react-tweet's `Tweet` type) and
// oEmbed. Both are read without a token and are a lower grade of evidence than the API: the record says so
// in its `via` field.

export const X_SYNDICATION_PARSER_VERSION = 'x-syndication/1';
export const X_OEMBED_PARSER_VERSION = 'x-oembed/1';

const xId = z.string().regex(X_ID, 'is not an X id');
const username = z.string().regex(/^[A-Za-z0-9_]{1,15}$/, 'is not an X username');
const webUrl = z
  .string()
  .max(4096)
  .refine((v) => /^https?:\/\//i.test(v), 'is not an http(s) URL');

export const syndicationTweet = z.object({
  __typename: z.literal('Tweet').optional(),
  id_str: xId,
  text: z.string(),
  lang: z.string().max(35).optional(),
  created_at: z.string().datetime({ offset: true }),
  user: z.object({ id_str: xId, name: z.string().max(200), screen_name: username }),
  /** the first version lists every version; a later one names the first (react-tweet types/edit.ts) */
  edit_control: z
    .object({ edit_tweet_ids: z.array(xId).min(1).max(20).optional(), initial_tweet_id: xId.optional() })
    .optional(),
  note_tweet: z.object({ id: z.string() }).optional(),
  mediaDetails: z
    .array(
      z.object({
        type: z.string().max(32),
        media_url_https: webUrl.optional(),
        ext_alt_text: z.string().nullable().optional(),
        video_info: z
          .object({
            variants: z
              .array(
                z.object({ bitrate: z.number().optional(), content_type: z.string().max(128), url: webUrl }),
              )
              .max(50),
          })
          .optional(),
      }),
    )
    .max(10)
    .optional(),
  in_reply_to_status_id_str: xId.optional(),
  quoted_tweet: z.object({}).passthrough().optional(),
});
export type SyndicationTweet = z.infer<typeof syndicationTweet>;

/** What the syndication endpoint's JSON says: a post, `{}` for no such post, or a TweetTombstone. */
export type SyndicationBody =
  | { kind: 'tweet'; tweet: SyndicationTweet }
  | { kind: 'not-found' }
  /** withheld, deleted, age-gated: X does not say which */
  | { kind: 'tombstone' };

export function readSyndicationBody(json: unknown, what: string): SyndicationBody {
  const isObject = typeof json === 'object' && json !== null && !Array.isArray(json);
  if (isObject && Object.keys(json).length === 0) return { kind: 'not-found' };
  if (isObject && (json as { __typename?: unknown }).__typename === 'TweetTombstone')
    return { kind: 'tombstone' };
  return { kind: 'tweet', tweet: checkShape(json, syndicationTweet, what) };
}

export const oembedBody = z.object({
  url: webUrl,
  author_name: z.string().max(200),
  html: z.string().max(100_000),
});

export function accountOf(
  user: { id: string; username: string; name: string },
  apiBaseUrl: string,
): ResolvedAccount {
  return {
    platform: 'x',
    handle: user.username,
    externalId: user.id,
    displayName: user.name || user.username,
    profileUrl: xProfileUrl(user.username),
    // the API's base URL, as for accounts tracked through it: both paths then find the same account row
    sourceUrl: apiBaseUrl,
  };
}

export function syndicationToContent(tweet: SyndicationTweet): StatementContent {
  const firstId =
    tweet.edit_control?.edit_tweet_ids?.[0] ?? tweet.edit_control?.initial_tweet_id ?? tweet.id_str;
  const edited = firstId !== tweet.id_str;
  const screenName = tweet.user.screen_name;
  return {
    platform: 'x',
    account: screenName,
    postId: firstId,
    url: xPostUrl(screenName, firstId),
    authoredAt: edited ? snowflakeTime(firstId) : toUtcTimestamp(tweet.created_at),
    editedAt: edited ? toUtcTimestamp(tweet.created_at) : null,
    title: null,
    // a long post's text is cut here too, and the syndication body does not carry the rest (note_tweet.id only)
    text: unescapeXText(tweet.text),
    html: null,
    language: tweet.lang && tweet.lang !== 'und' ? tweet.lang : null,
    media: (tweet.mediaDetails ?? []).flatMap((m): MediaItem[] => {
      const mp4 = (m.video_info?.variants ?? [])
        .filter((v) => v.content_type === 'video/mp4')
        .sort((a, b) => (b.bitrate ?? 0) - (a.bitrate ?? 0))[0];
      const url = mp4?.url ?? m.media_url_https;
      if (!url) return [];
      return [
        { kind: m.type, url, mediaType: mp4 ? 'video/mp4' : null, description: m.ext_alt_text || null },
      ];
    }),
    isReply: tweet.in_reply_to_status_id_str !== undefined,
    isRepost: false,
    isQuote: tweet.quoted_tweet !== undefined,
    parserVersion: X_SYNDICATION_PARSER_VERSION,
    via: 'x-syndication',
  };
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** The oEmbed blockquote: `<p lang=…>TEXT</p>&mdash; Name (@handle) <a href=…/status/ID…>Month D, YYYY</a>`. */
const BLOCKQUOTE_HEAD = /^<blockquote class="twitter-tweet"[^>]*><p(?: lang="([A-Za-z-]{1,35})")?[^>]*>/;
const BYLINE_START = '</p>&mdash; ';
const BLOCKQUOTE_END = '</a></blockquote>';
/** From the last `(@` on: the handle and the dated link to the post, read anchored (sticky). */
const HANDLE_AND_LINK =
  /\(@([A-Za-z0-9_]{1,15})\) <a href="https:\/\/(?:twitter|x)\.com\/[A-Za-z0-9_]{1,15}\/status\/([0-9]{1,19})[^"]*">([A-Za-z]+) ([0-9]{1,2}), ([0-9]{4})$/y;

interface OembedParts {
  lang: string | undefined;
  paragraph: string;
  username: string;
  id: string;
  month: string;
  day: string;
  year: string;
}

/**
 * The parts of an oEmbed blockquote, or null. Found by searching from the end for the last byline and link
 * (the text may hold anything, "&mdash;" and "(@" included), so the cost stays linear in the html's length.
 */
function readBlockquote(html: string): OembedParts | null {
  const head = BLOCKQUOTE_HEAD.exec(html);
  const end = html.lastIndexOf(BLOCKQUOTE_END);
  if (!head || end < head[0].length) return null;
  const handleAt = html.lastIndexOf('(@', end);
  const byline = html.lastIndexOf(BYLINE_START, handleAt);
  if (handleAt === -1 || byline < head[0].length || byline + BYLINE_START.length > handleAt) return null;
  HANDLE_AND_LINK.lastIndex = handleAt;
  const link = HANDLE_AND_LINK.exec(html.slice(0, end));
  if (!link) return null;
  const [, username, id, month, day, year] = link;
  return { lang: head[1], paragraph: html.slice(head[0].length, byline), username, id, month, day, year };
}

/**
 * An oEmbed answer as a record. It names the author by handle and display name only (no user id), and the
 * date only as link text in English: the time recorded is the one the post's snowflake id carries, kept only
 * when it falls on that date (± a day for time zones).
 */
export function oembedToContent(
  body: z.infer<typeof oembedBody>,
  wantedId: string,
  what: string,
): { content: StatementContent; username: string; displayName: string } {
  const parts = readBlockquote(body.html.trim());
  if (!parts) throw invalid(what, 'the oEmbed html is not an X blockquote');
  const { lang, paragraph, username, id, month, day, year } = parts;
  if (id !== wantedId) throw invalid(what, `the oEmbed answer is about post ${id}, not ${wantedId}`);
  const monthIndex = MONTHS.indexOf(month.toLowerCase());
  const linkDate = monthIndex < 0 ? NaN : Date.UTC(Number(year), monthIndex, Number(day));
  const idTime = snowflakeTime(id);
  const agrees = idTime !== null && Math.abs(Date.parse(idTime) - linkDate) < 2 * 86_400_000;
  return {
    username,
    displayName: body.author_name,
    content: {
      platform: 'x',
      account: username,
      postId: id,
      url: xPostUrl(username, id),
      authoredAt: agrees ? idTime : null,
      editedAt: null,
      title: null,
      text: htmlToPlainText(paragraph),
      html: null,
      language: lang && lang !== 'und' ? lang : null,
      media: [],
      isReply: false,
      isRepost: false,
      isQuote: false,
      parserVersion: X_OEMBED_PARSER_VERSION,
      via: 'x-oembed',
    },
  };
}
