// The public embed endpoints: the syndication CDN's `tweet-result` (what react-tweet reads) and oEmbed.
// Neither needs a token; both serve one post. Shapes: react-tweet's types/tweet.ts and the oEmbed docs.
import { type Json } from '../mastodon/mastodon-json';
import { type XPlatformView, type XTweetRecord, type XUserRecord } from './x-records';

type JsonObject = { [key: string]: Json };

/** A post as `GET /tweet-result?id=…` returns it: the v1.1-style object react-tweet types as `Tweet`. */
export function renderSyndicationTweet(
  tweet: XTweetRecord,
  user: XUserRecord,
  view: XPlatformView,
): JsonObject {
  const firstId = tweet.editHistory[0];
  const first = view.tweet(firstId) ?? tweet;
  const chars = [...tweet.text].length;
  const out: JsonObject = {
    __typename: 'Tweet',
    lang: tweet.lang,
    favorite_count: 0,
    possibly_sensitive: false,
    created_at: tweet.createdAt,
    display_text_range: [0, Math.min(chars, 280)],
    entities: { hashtags: [], urls: [], user_mentions: [], symbols: [] },
    id_str: tweet.id,
    // the syndication text is cut like the API's; a long post's note_tweet carries only an id here
    text: [...tweet.text]
      .slice(0, 280)
      .join('')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;'),
    user: {
      id_str: user.id,
      name: user.name,
      profile_image_url_https: `https://pbs.twimg.com/profile_images/${user.id}/photo_normal.jpg`,
      screen_name: user.username,
      verified: false,
      is_blue_verified: false,
    },
    edit_control: {
      edit_tweet_ids: [...tweet.editHistory],
      editable_until_msecs: String(Date.parse(first.createdAt) + 30 * 60_000),
      is_edit_eligible: tweet.media.length === 0,
      edits_remaining: String(Math.max(0, 5 - (tweet.editHistory.length - 1))),
    },
    conversation_count: 0,
    news_action_type: 'conversation',
    isEdited: tweet.editHistory.length > 1,
    isStaleEdit: tweet.editHistory[tweet.editHistory.length - 1] !== tweet.id,
  };
  if (chars > 280) out.note_tweet = { id: Buffer.from(`NoteTweet:${tweet.id}`).toString('base64') };
  if (tweet.media.length > 0) {
    out.mediaDetails = tweet.media.map((m) => ({
      display_url: `pic.x.com/${m.mediaKey}`,
      ext_alt_text: m.altText,
      media_url_https: m.url ?? m.previewImageUrl,
      type: m.type,
      ...(m.variants.length > 0
        ? {
            video_info: {
              variants: m.variants.map((v) => ({
                ...(v.bitRate === null ? {} : { bitrate: v.bitRate }),
                content_type: v.contentType,
                url: v.url,
              })),
            },
          }
        : {}),
    }));
  }
  const replyTo = tweet.references.find((r) => r.type === 'replied_to');
  if (replyTo) out.in_reply_to_status_id_str = replyTo.id;
  const quoted = tweet.references.find((r) => r.type === 'quoted');
  const quotedTweet = quoted ? view.tweet(quoted.id) : undefined;
  const quotedUser = quotedTweet ? view.userById(quotedTweet.authorId) : undefined;
  if (quotedTweet && quotedUser) out.quoted_tweet = renderSyndicationTweet(quotedTweet, quotedUser, view);
  return out;
}

/** What the syndication endpoint answers for a post it will not show (withheld, deleted, age-gated). */
export function tombstone(): JsonObject {
  return {
    __typename: 'TweetTombstone',
    tombstone: {
      text: {
        text: 'This Post is unavailable. Learn more',
        entities: [
          { from_index: 26, to_index: 36, ref: { __typename: 'TimelineUrl', url: 'https://help.x.com' } },
        ],
        rtl: false,
      },
    },
  };
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** `GET /oembed?url=…`: the blockquote X's widget script turns into an embedded post. */
export function renderOembed(
  tweet: XTweetRecord,
  user: XUserRecord,
  options: { omitScript: boolean },
): JsonObject {
  const url = `https://twitter.com/${user.username}/status/${tweet.id}`;
  const date = new Date(tweet.createdAt);
  const day = `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()}`;
  const text = htmlEscape(tweet.text).replace(/\n/g, '<br>');
  const script = options.omitScript
    ? ''
    : '\n<script async src="https://platform.x.com/widgets.js" charset="utf-8"></script>\n';
  return {
    url,
    author_name: user.name,
    author_url: `https://twitter.com/${user.username}`,
    html: `<blockquote class="twitter-tweet"><p lang="${tweet.lang}" dir="ltr">${text}</p>&mdash; ${htmlEscape(user.name)} (@${user.username}) <a href="${url}?ref_src=twsrc%5Etfw">${day}</a></blockquote>${script}`,
    width: 550,
    height: null,
    type: 'rich',
    cache_age: '3153600000',
    provider_name: 'Twitter',
    provider_url: 'https://twitter.com',
    version: '1.0',
  };
}

function htmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
