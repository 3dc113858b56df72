import { z } from 'zod';
export { invalid } from '../json-body';

// The AppView's JSON, as far as Verbatim reads it (lexicons app.bsky.actor.defs, app.bsky.feed.defs,
// app.bsky.feed.post). Unknown fields pass: the raw response is kept as the artifact anyway.

const text = (max: number) => z.string().max(max);
const did = text(2048).regex(/^did:[a-z]+:[A-Za-z0-9._:%-]+$/, 'is not a DID');
const webUrl = text(4096).refine((v) => /^https?:\/\//i.test(v), 'is not an http(s) URL');

export const profileView = z
  .object({
    did,
    handle: text(253),
    displayName: text(640).optional(),
  })
  .passthrough();
export type ProfileView = z.infer<typeof profileView>;

const strongRef = z.object({ uri: text(8192), cid: text(256) }).passthrough();

/** An `app.bsky.feed.post` record in its JSON form. */
export const postRecord = z
  .object({
    $type: z.literal('app.bsky.feed.post').optional(),
    text: text(100_000),
    createdAt: text(64),
    langs: z.array(text(128)).max(3).optional(),
    reply: z.object({ root: strongRef, parent: strongRef }).passthrough().optional(),
    embed: z
      .object({ $type: text(256) })
      .passthrough()
      .optional(),
  })
  .passthrough();
export type PostRecord = z.infer<typeof postRecord>;

const imageView = z
  .object({ fullsize: webUrl.optional(), thumb: webUrl.optional(), alt: text(10_000).optional() })
  .passthrough();

/** The hydrated embed beside the record: images, a video, a link card, a quoted post, or both. */
const embedView: z.ZodType<EmbedView> = z.lazy(() =>
  z
    .object({
      $type: text(256),
      images: z.array(imageView).max(10).optional(),
      playlist: webUrl.optional(),
      thumbnail: webUrl.optional(),
      alt: text(10_000).optional(),
      media: embedView.optional(),
      /** app.bsky.embed.external#view: a link card */
      external: z
        .object({
          uri: text(8192),
          title: text(10_000).optional(),
          description: text(100_000).optional(),
          thumb: webUrl.optional(),
        })
        .passthrough()
        .optional(),
    })
    .passthrough(),
);
export interface EmbedView {
  $type: string;
  images?: { fullsize?: string; thumb?: string; alt?: string }[];
  playlist?: string;
  thumbnail?: string;
  alt?: string;
  media?: EmbedView;
  external?: { uri: string; title?: string; description?: string; thumb?: string };
}

export const postView = z
  .object({
    uri: text(8192),
    cid: text(256),
    author: profileView,
    record: postRecord,
    embed: embedView.optional(),
    indexedAt: text(64).optional(),
  })
  .passthrough();
export type PostView = z.infer<typeof postView>;

export const feedViewPost = z
  .object({
    post: postView,
    reason: z
      .object({ $type: text(256) })
      .passthrough()
      .optional(),
  })
  .passthrough();
export type FeedViewPost = z.infer<typeof feedViewPost>;

export const authorFeed = z.object({ feed: z.array(feedViewPost).max(100), cursor: text(2048).optional() });
export const postsBody = z.object({ posts: z.array(postView).max(25) });
export const threadBody = z.object({
  thread: z.object({ $type: text(256) }).passthrough(),
});

/** XRPC's error body: `{"error":"NotFound","message":"Post not found: at://…"}`. */
export const xrpcError = z.object({ error: text(256), message: text(2048).optional() }).passthrough();
export type XrpcError = z.infer<typeof xrpcError>;

export const REASON_REPOST = 'app.bsky.feed.defs#reasonRepost';
export const REASON_PIN = 'app.bsky.feed.defs#reasonPin';

/**
 * An XRPC error body is a few hundred bytes (its fields are bounded above): a bigger body is not one, and is not
 * parsed, so that a hostile 10 MB error answer never holds the event loop.
 */
export const XRPC_ERROR_MAX_BYTES = 16 * 1024;

/** The XRPC error of a non-2xx answer, when its body is one. */
export function xrpcErrorOf(body: Buffer): XrpcError | null {
  if (body.length > XRPC_ERROR_MAX_BYTES) return null;
  try {
    const parsed = xrpcError.safeParse(JSON.parse(body.toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
