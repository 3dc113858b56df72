import { z } from 'zod';
import { X_ID } from './x-ids';
export { invalid } from '../json-body';

// The parts of X API v2 bodies that Verbatim reads, checked field by field: the answer is untrusted. Unknown
// fields are ignored here (the raw bytes are kept as artifacts anyway).

const xId = z.string().regex(X_ID, 'is not an X id');
const webUrl = z
  .string()
  .max(4096)
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'is not an http(s) URL');

export const referenceType = z.enum(['retweeted', 'replied_to', 'quoted']);

const xUrlEntity = z.object({
  expanded_url: webUrl.optional(),
  unwound_url: webUrl.optional(),
  /** set when the link is the post's own photo or video (already among its media) */
  media_key: z.string().max(64).optional(),
  title: z.string().max(10_000).optional(),
  description: z.string().max(100_000).optional(),
  images: z
    .array(z.object({ url: webUrl, width: z.number().optional(), height: z.number().optional() }))
    .max(10)
    .optional(),
});

export const xTweet = z.object({
  id: xId,
  text: z.string(),
  /** oldest first; a post may be edited 5 times, so 6 versions at most (some slack for X changing it) */
  edit_history_tweet_ids: z.array(xId).min(1).max(20),
  created_at: z.string().datetime({ offset: true }).optional(),
  author_id: xId.optional(),
  lang: z.string().max(35).optional(),
  note_tweet: z.object({ text: z.string() }).optional(),
  referenced_tweets: z
    .array(z.object({ type: z.string().max(32), id: xId }))
    .max(10)
    .optional(),
  attachments: z.object({ media_keys: z.array(z.string().max(64)).max(10).optional() }).optional(),
  entities: z.object({ urls: z.array(xUrlEntity).max(100).optional() }).optional(),
});
export type XTweet = z.infer<typeof xTweet>;

/** Where a link in the post leads; X adds a title, description and preview images when it unwound one. */
export type XUrlEntity = z.infer<typeof xUrlEntity>;

export const xMedia = z.object({
  media_key: z.string().max(64),
  type: z.string().max(32),
  url: webUrl.optional(),
  preview_image_url: webUrl.optional(),
  alt_text: z.string().nullable().optional(),
  variants: z
    .array(z.object({ bit_rate: z.number().optional(), content_type: z.string().max(128), url: webUrl }))
    .max(50)
    .optional(),
});
export type XMedia = z.infer<typeof xMedia>;

/** One `errors[]` entry: a resource the API could not return, or a problem with the request. */
export const xApiError = z.object({
  value: z.string().optional(),
  detail: z.string().optional(),
  title: z.string().optional(),
  resource_type: z.string().optional(),
  parameter: z.string().optional(),
  resource_id: z.string().optional(),
  type: z.string().optional(),
  message: z.string().optional(),
});
export type XApiError = z.infer<typeof xApiError>;

const errors = z.array(xApiError).max(1000).optional();
export const xUser = z.object({
  id: xId,
  name: z.string().max(200),
  username: z.string().regex(/^[A-Za-z0-9_]{1,15}$/, 'is not an X username'),
});
export const xIncludes = z
  .object({
    media: z.array(xMedia).max(1000).optional(),
    tweets: z.array(xTweet).max(1000).optional(),
    users: z.array(xUser).max(1000).optional(),
  })
  .optional();
export type XIncludes = z.infer<typeof xIncludes>;

export const xTimelinePage = z.object({
  data: z.array(xTweet).max(100).optional(),
  includes: xIncludes,
  meta: z
    .object({
      result_count: z.number().int().nonnegative(),
      newest_id: xId.optional(),
      oldest_id: xId.optional(),
      next_token: z.string().min(1).max(512).optional(),
    })
    .optional(),
  errors,
});

export const xLookup = z.object({ data: z.array(xTweet).max(100).optional(), includes: xIncludes, errors });
export const xSingleLookup = z.object({ data: xTweet.optional(), includes: xIncludes, errors });
export const xUserLookup = z.object({ data: xUser.optional(), errors });

export type XErrorKind = 'not-found' | 'suspended' | 'not-authorized' | 'other';

/** What an `errors[]` entry says about its resource. */
export function classifyError(error: XApiError): XErrorKind {
  const text = `${error.title ?? ''} ${error.detail ?? ''}`;
  if (/suspended/i.test(text) || error.title === 'Forbidden') return 'suspended';
  if (error.type?.endsWith('/not-authorized-for-resource') || error.title === 'Authorization Error')
    return 'not-authorized';
  if (
    error.type?.endsWith('/resource-not-found') ||
    error.title === 'Not Found Error' ||
    /^Could not find/i.test(error.detail ?? '')
  )
    return 'not-found';
  return 'other';
}

/** The id an `errors[]` entry is about. */
export function errorResourceId(error: XApiError): string | null {
  return error.resource_id ?? error.value ?? null;
}

export function errorText(error: XApiError): string {
  return (error.detail ?? error.message ?? error.title ?? 'an error without detail').slice(0, 300);
}
