import { z } from 'zod';
import { parseBoundedJson } from '@app/core';
import { MAX_JSON_BODY_DEPTH } from '../json-body';
import { POST_COLLECTION } from './bluesky-urls';

// Jetstream (github.com/bluesky-social/jetstream) sends one JSON object per WebSocket message: a repository
// commit (`kind: "commit"`, with `commit.operation` create / update / delete), or an identity or account event.

const did = z
  .string()
  .max(2048)
  .regex(/^did:[a-z]+:[A-Za-z0-9._:%-]+$/);
const rkey = z
  .string()
  .max(512)
  .regex(/^[A-Za-z0-9._:~-]+$/);
const jetstreamEvent = z
  .object({
    did,
    time_us: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    kind: z.string().max(64),
    commit: z
      .object({ operation: z.string().max(64), collection: z.string().max(512), rkey })
      .passthrough()
      .optional(),
  })
  .passthrough();

/** What one message tells the archive: a tracked post was written or deleted, or nothing we act on. */
export type JetstreamSignal =
  | { kind: 'posted' | 'deleted'; did: string; uri: string; timeUs: number }
  | { kind: 'other'; timeUs: number };

/**
 * Reads one Jetstream message (its text; the socket bounds its size). Throws an Error naming what is wrong
 * for a message that is not a Jetstream event: the subscriber counts it and reads on.
 */
export function readJetstreamMessage(text: string): JetstreamSignal {
  const read = parseBoundedJson(text, MAX_JSON_BODY_DEPTH);
  if (read.kind === 'too-deep') throw new Error('a Jetstream message nested too deeply');
  if (read.kind === 'not-json') throw new Error('a Jetstream message that is not JSON');
  const parsed = jetstreamEvent.safeParse(read.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `a Jetstream message without a valid ${issue.path.join('.') || 'body'}: ${issue.message}`,
    );
  }
  const event = parsed.data;
  const commit = event.kind === 'commit' ? event.commit : undefined;
  if (!commit || commit.collection !== POST_COLLECTION) return { kind: 'other', timeUs: event.time_us };
  const uri = `at://${event.did}/${POST_COLLECTION}/${commit.rkey}`;
  if (commit.operation === 'create' || commit.operation === 'update')
    return { kind: 'posted', did: event.did, uri, timeUs: event.time_us };
  if (commit.operation === 'delete') return { kind: 'deleted', did: event.did, uri, timeUs: event.time_us };
  return { kind: 'other', timeUs: event.time_us };
}

/** Jetstream takes at most this many DIDs in `wantedDids`; beyond it we take every post and filter here. */
export const JETSTREAM_MAX_WANTED_DIDS = 10_000;

/** The `options_update` message that (re)states what this subscriber wants. */
export function jetstreamOptions(dids: readonly string[], maxMessageSizeBytes: number): string {
  return JSON.stringify({
    type: 'options_update',
    payload: {
      wantedCollections: [POST_COLLECTION],
      wantedDids: dids.length <= JETSTREAM_MAX_WANTED_DIDS ? dids : [],
      maxMessageSizeBytes,
    },
  });
}
