import { type z } from 'zod';
import { authorFeed, postsBody, profileView, threadBody } from '../bluesky/bluesky-entities';
import { checkShape } from '../json-body';
import { oembedBody, readSyndicationBody } from '../x/x-embed-entities';
import { xLookup, xSingleLookup, xTimelinePage, xUserLookup } from '../x/x-entities';

/** Reads parsed JSON as a schema's shape, with parseBody's messages. */
const ofSchema =
  <Schema extends z.ZodTypeAny>(schema: Schema) =>
  (json: unknown, what: string): z.output<Schema> =>
    checkShape(json, schema, what);

/**
 * Every JSON body the X and Bluesky connectors read, by name: a parse thread cannot be sent a zod schema (a
 * function), so the caller names the shape and the thread's script reads it from this same table.
 */
export const JSON_BODY_SHAPES = {
  /** `GET /2/users/by/username/:username` */
  'x-user': ofSchema(xUserLookup),
  /** `GET /2/tweets/:id` */
  'x-post': ofSchema(xSingleLookup),
  /** `GET /2/tweets?ids=` */
  'x-posts': ofSchema(xLookup),
  /** `GET /2/users/:id/tweets` */
  'x-timeline-page': ofSchema(xTimelinePage),
  /** the syndication CDN's `tweet-result` */
  'x-syndication': readSyndicationBody,
  'x-oembed': ofSchema(oembedBody),
  /** `app.bsky.actor.getProfile` */
  'bluesky-profile': ofSchema(profileView),
  /** `app.bsky.feed.getAuthorFeed` */
  'bluesky-author-feed': ofSchema(authorFeed),
  /** `app.bsky.feed.getPosts` */
  'bluesky-posts': ofSchema(postsBody),
  /** `app.bsky.feed.getPostThread` */
  'bluesky-thread': ofSchema(threadBody),
} satisfies Record<string, (json: unknown, what: string) => unknown>;

export type JsonBodyShape = keyof typeof JSON_BODY_SHAPES;
/** What reading a body of this shape gives. */
export type JsonBodyOf<Shape extends JsonBodyShape> = ReturnType<(typeof JSON_BODY_SHAPES)[Shape]>;
