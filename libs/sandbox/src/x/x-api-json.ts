// Bodies shaped as the X API v2 writes them (data / includes / meta / errors), for the fields a request asks
// for. Shared by the demo's sandbox server and the test fake, so both answer with the same bytes.
import { type Json } from '../mastodon/mastodon-json';
import { type XMediaRecord, type XPlatformView, type XTweetRecord, type XUserRecord } from './x-records';

type JsonObject = { [key: string]: Json };

/** A long post's `text` holds its first 280 characters; the whole body is in `note_tweet.text`. */
export const X_TEXT_LIMIT = 280;
const PROBLEMS = 'https://api.twitter.com/2/problems';

/** The fields, expansions and media fields a request named (comma-separated query parameters). */
export interface XFieldSelection {
  tweetFields: Set<string>;
  expansions: Set<string>;
  mediaFields: Set<string>;
}

export function fieldSelection(query: URLSearchParams): XFieldSelection {
  const list = (name: string) =>
    new Set(
      (query.get(name) ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
  return {
    tweetFields: list('tweet.fields'),
    expansions: list('expansions'),
    mediaFields: list('media.fields'),
  };
}

/** X escapes these three in post text, in JSON as elsewhere. */
export function escapeXText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function isLongPost(tweet: XTweetRecord): boolean {
  return [...tweet.text].length > X_TEXT_LIMIT;
}

/** One post object: the default fields (id, text, edit_history_tweet_ids) and those asked for. */
export function renderTweet(tweet: XTweetRecord, fields: XFieldSelection, view: XPlatformView): JsonObject {
  const asked = fields.tweetFields;
  const long = isLongPost(tweet);
  const out: JsonObject = { edit_history_tweet_ids: [...tweet.editHistory] };
  if (asked.has('note_tweet') && long) out.note_tweet = { text: escapeXText(tweet.text) };
  if (asked.has('attachments') && tweet.media.length > 0)
    out.attachments = { media_keys: tweet.media.map((m) => m.mediaKey) };
  if (asked.has('created_at')) out.created_at = tweet.createdAt;
  out.id = tweet.id;
  if (asked.has('lang')) out.lang = tweet.lang;
  if (asked.has('author_id')) out.author_id = tweet.authorId;
  const shown = long ? `${[...tweet.text].slice(0, X_TEXT_LIMIT - 1).join('')}…` : tweet.text;
  out.text = escapeXText(shown);
  if (asked.has('referenced_tweets') && tweet.references.length > 0)
    out.referenced_tweets = tweet.references.map((r) => ({ type: r.type, id: r.id }));
  if (asked.has('edit_controls')) out.edit_controls = editControls(tweet, view);
  if (asked.has('entities') && tweet.links?.length) out.entities = { urls: urlEntities(tweet) };
  return out;
}

/** `entities.urls` as X writes them: t.co link, its place in the text, and what X unwound from the page. */
function urlEntities(tweet: XTweetRecord): JsonObject[] {
  let start = [...tweet.text].length + 1;
  return (tweet.links ?? []).map((link, index) => {
    const shortUrl = `https://t.co/${Buffer.from(`${tweet.id}:${index}`).toString('base64url').slice(0, 10)}`;
    const entity: JsonObject = {
      start,
      end: start + shortUrl.length,
      url: shortUrl,
      expanded_url: link.expandedUrl,
      display_url: link.expandedUrl.replace(/^https?:\/\//, '').slice(0, 25),
    };
    start += shortUrl.length + 1;
    if (link.images.length > 0) entity.images = link.images.map((i) => ({ ...i }));
    entity.status = 200;
    if (link.title !== null) entity.title = link.title;
    if (link.description !== null) entity.description = link.description;
    entity.unwound_url = link.expandedUrl;
    return entity;
  });
}

function editControls(tweet: XTweetRecord, view: XPlatformView): JsonObject {
  const first = view.tweet(tweet.editHistory[0]) ?? tweet;
  const editableUntil = new Date(Date.parse(first.createdAt) + 30 * 60_000).toISOString();
  return {
    edits_remaining: Math.max(0, 5 - (tweet.editHistory.length - 1)),
    is_edit_eligible: tweet.references.length === 0 && tweet.media.length === 0,
    editable_until: editableUntil,
  };
}

export function renderMedia(media: XMediaRecord, fields: XFieldSelection): JsonObject {
  const asked = fields.mediaFields;
  const out: JsonObject = { media_key: media.mediaKey, type: media.type };
  if (asked.has('url') && media.url !== null) out.url = media.url;
  if (asked.has('preview_image_url') && media.previewImageUrl !== null)
    out.preview_image_url = media.previewImageUrl;
  if (asked.has('alt_text') && media.altText !== null) out.alt_text = media.altText;
  if (asked.has('variants') && media.variants.length > 0) {
    out.variants = media.variants.map((v): JsonObject => {
      const variant: JsonObject = v.bitRate === null ? {} : { bit_rate: v.bitRate };
      return { ...variant, content_type: v.contentType, url: v.url };
    });
  }
  return out;
}

/** `includes` for a set of posts: their media and the posts they reference, when those expansions were asked. */
export function renderIncludes(
  tweets: XTweetRecord[],
  fields: XFieldSelection,
  view: XPlatformView,
): JsonObject | null {
  const includes: JsonObject = {};
  if (fields.expansions.has('attachments.media_keys')) {
    const media = tweets.flatMap((t) => t.media).map((m) => renderMedia(m, fields));
    if (media.length > 0) includes.media = media;
  }
  if (fields.expansions.has('referenced_tweets.id')) {
    const seen = new Set<string>();
    const referenced = tweets
      .flatMap((t) => t.references.map((r) => view.tweet(r.id)))
      .filter((t): t is XTweetRecord => t !== undefined && !t.deleted && !seen.has(t.id) && !!seen.add(t.id))
      .map((t) => renderTweet(t, fields, view));
    if (referenced.length > 0) includes.tweets = referenced;
  }
  if (fields.expansions.has('author_id')) {
    const authorIds = [...new Set(tweets.map((t) => t.authorId))];
    const users = authorIds.map((id) => view.userById(id)).filter((u): u is XUserRecord => u !== undefined);
    if (users.length > 0) includes.users = users.map(renderUser);
  }
  return Object.keys(includes).length > 0 ? includes : null;
}

export function renderUser(user: XUserRecord): JsonObject {
  return { id: user.id, name: user.name, username: user.username };
}

/** An `errors[]` entry as X writes it for a resource it cannot return. */
export function resourceError(
  kind: 'not-found' | 'suspended' | 'not-authorized',
  resource: { type: 'tweet' | 'user'; parameter: string; value: string },
  /** what the detail names in brackets: the suspended user's name for a post of theirs */
  named: string = resource.value,
): JsonObject {
  const { type, parameter, value } = resource;
  const noun = type === 'tweet' ? 'Tweet' : 'user';
  const detail =
    kind === 'not-found'
      ? `Could not find ${type} with ${parameter}: [${named}].`
      : kind === 'suspended'
        ? `User has been suspended: [${named}].`
        : `Sorry, you are not authorized to see the ${noun} with ${parameter}: [${named}].`;
  return {
    value,
    detail,
    title:
      kind === 'not-found' ? 'Not Found Error' : kind === 'suspended' ? 'Forbidden' : 'Authorization Error',
    resource_type: type,
    parameter,
    resource_id: value,
    type: `${PROBLEMS}/${kind === 'not-authorized' ? 'not-authorized-for-resource' : 'resource-not-found'}`,
  };
}

/** The body of a 400 for a query parameter X refuses. */
export function invalidRequest(parameter: string, value: string, message: string): JsonObject {
  return {
    errors: [{ parameters: { [parameter]: [value] }, message }],
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: `${PROBLEMS}/invalid-request`,
  };
}

/** X's problem bodies for 401 and 429 (RFC 7807 shaped, `type: about:blank`). */
export function problem(status: 401 | 404 | 429 | 503, title: string): JsonObject {
  return { title, detail: title, type: 'about:blank', status };
}
