import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, SourceError } from '@app/core';
import { MAX_JSON_BODY_DEPTH } from '../json-body';
import { runJsonParse } from './json-parse-task';
import { OFF_THREAD_JSON_BYTES, inThreadJsonParsing, jsonParsing } from './json-parsing';

// jest runs TypeScript sources, which a worker thread cannot load: this stand-in for json-parse-worker.js speaks
// the protocol of thread-protocol.ts and says it was asked, so that what reaches a thread can be seen.
const STAND_IN = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, input }) => {
  if (input.what === 'spin') for (;;) {}
  if (input.what === 'fail') {
    const failure = { message: 'fail: data.id is not an X id', code: 'source-invalid-response', httpStatus: null };
    parentPort.postMessage({ id, ok: false, failure });
    return;
  }
  parentPort.postMessage({ id, ok: true, value: { onThread: true, shape: input.shape, bytes: input.bytes.byteLength } });
});
parentPort.postMessage({ ready: true, statPath: null, cpuMs: null });
`;

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const X_USER = { data: { id: '2244994945', name: 'MFA', username: 'mfa' } };
const xPost = (id: string, text: string) => ({
  id,
  text,
  edit_history_tweet_ids: [id],
  author_id: '2244994945',
});
/** A timeline page of 100 posts past the thread threshold. */
const bigPage = () =>
  json({
    data: Array.from({ length: 100 }, (_, i) =>
      xPost(String(1_500_000_000_000_000_000n + BigInt(i)), 'w'.repeat(3000)),
    ),
    meta: { result_count: 100 },
  });

async function refusal(promise: Promise<unknown>): Promise<SourceError> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof SourceError)) throw new Error(`expected a SourceError, got ${String(error)}`);
  return error;
}

describe('jsonParsing: X and Bluesky bodies', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'verbatim-json-'));
    writeFileSync(join(dir, 'stand-in.js'), STAND_IN);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads in this thread when run from sources, where no compiled worker script exists', async () => {
    const parsing = jsonParsing({ timeoutMs: 1000, script: join(dir, 'no-such-worker.js') });
    expect(parsing.where).toBe('in-thread');
    expect(await parsing.read(json(X_USER), 'x-user', 'X user @mfa')).toEqual(X_USER);
    const big = bigPage();
    expect(big.length).toBeGreaterThanOrEqual(OFF_THREAD_JSON_BYTES);
    const page = await parsing.read(big, 'x-timeline-page', 'X timeline of @mfa');
    expect(page.data).toHaveLength(100);
    expect(page.data?.[99].text).toBe('w'.repeat(3000));
    await parsing.close();
  });

  it('sends a body of 256 KB or more to the parse thread, and reads a smaller one in this thread', async () => {
    const parsing = jsonParsing({ timeoutMs: 2000, script: join(dir, 'stand-in.js') });
    try {
      expect(parsing.where).toBe('worker-thread');
      // below the threshold: parsed here, the thread never asked
      expect(await parsing.read(json(X_USER), 'x-user', 'X user @mfa')).toEqual(X_USER);
      const padded = (bytes: number) => Buffer.from(`{"data":[]}${' '.repeat(bytes - 11)}`);
      expect(await parsing.read(padded(OFF_THREAD_JSON_BYTES - 1), 'x-posts', 'X lookup')).toEqual({
        data: [],
      });
      // from the threshold on: what the thread answered, for the shape named
      expect(await parsing.read(padded(OFF_THREAD_JSON_BYTES), 'x-posts', 'X lookup')).toEqual({
        onThread: true,
        shape: 'x-posts',
        bytes: OFF_THREAD_JSON_BYTES,
      });
      expect(await parsing.read(bigPage(), 'bluesky-author-feed', 'Bluesky feed')).toMatchObject({
        onThread: true,
        shape: 'bluesky-author-feed',
      });
    } finally {
      await parsing.close();
    }
  });

  it("carries a thread's refusal back as the same SourceError, and refuses a body read past the deadline", async () => {
    const parsing = jsonParsing({ timeoutMs: 300, script: join(dir, 'stand-in.js') });
    const big = Buffer.alloc(OFF_THREAD_JSON_BYTES, ' ');
    try {
      const failed = await refusal(parsing.read(big, 'x-user', 'fail'));
      expect(failed.code).toBe(ErrorCode.SourceInvalidResponse);
      expect(failed.message).toBe('fail: data.id is not an X id');
      const slow = await refusal(parsing.read(big, 'x-timeline-page', 'spin'));
      expect(slow.code).toBe(ErrorCode.SourceInvalidResponse);
      expect(slow.message).toBe('spin: parsing took longer than 300 ms; refused');
      // a new thread takes the next body
      expect(await parsing.read(big, 'x-user', 'X user @mfa')).toMatchObject({ onThread: true });
    } finally {
      await parsing.close();
    }
  });

  it('refuses what is not JSON, or not the shape, with the messages the connectors always gave', async () => {
    const parsing = inThreadJsonParsing();
    const message = async (body: string, shape: Parameters<typeof parsing.read>[1], what: string) => {
      const error = await refusal(parsing.read(Buffer.from(body), shape, what));
      expect(error.code).toBe(ErrorCode.SourceInvalidResponse);
      return error.message;
    };
    expect(await message('{"data": [}}, <html>', 'x-timeline-page', 'X timeline of @mfa')).toBe(
      'X timeline of @mfa: the response is not JSON',
    );
    expect(await message('{"data":{"id":"abc","name":"a","username":"a"}}', 'x-user', 'X user @a')).toBe(
      'X user @a: data.id is not an X id',
    );
    expect(await message('{"data":{"id":"1"},"meta":{"result_count":1}}', 'x-timeline-page', 'X t')).toBe(
      'X t: data Expected array, received object',
    );
    expect(await message('[]', 'bluesky-posts', 'Bluesky getPosts of 2 posts')).toBe(
      'Bluesky getPosts of 2 posts: body Expected object, received array',
    );
    expect(await message('{"did":"x","handle":"a"}', 'bluesky-profile', 'Bluesky account a')).toBe(
      'Bluesky account a: did is not a DID',
    );
  });

  it('reads the bytes a thread is given (a plain Uint8Array) as this thread reads a Buffer', () => {
    const bytes = json(X_USER);
    const plain = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(runJsonParse({ bytes: plain, shape: 'x-user', what: 'X user @mfa' })).toEqual(X_USER);
  });

  it("tells the syndication endpoint's no-post and tombstone answers from a post", () => {
    const read = (value: unknown) => runJsonParse({ bytes: json(value), shape: 'x-syndication', what: 's' });
    expect(read({})).toEqual({ kind: 'not-found' });
    expect(read({ __typename: 'TweetTombstone' })).toEqual({ kind: 'tombstone' });
    expect(() => read({ id_str: '1' })).toThrow(/^s: text Required/);
    const tweet = {
      id_str: '1500000000000000000',
      text: 'Hi',
      created_at: '2022-03-05T10:00:00.000Z',
      user: { id_str: '2244994945', name: 'MFA', screen_name: 'mfa' },
    };
    expect(read(tweet)).toEqual({ kind: 'tweet', tweet });
  });

  it('refuses data nested too deeply to be sent back from a thread, and embeds nested past the stack', () => {
    const profile = (depth: number) =>
      `{"did":"did:plc:abc","handle":"a.test","extra":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    const read = (body: string, shape: 'bluesky-profile' | 'bluesky-author-feed') =>
      runJsonParse({ bytes: Buffer.from(body), shape, what: 'Bluesky account a' });
    // the profile is the first level
    expect(read(profile(MAX_JSON_BODY_DEPTH), 'bluesky-profile')).toMatchObject({ handle: 'a.test' });
    expect(() => read(profile(MAX_JSON_BODY_DEPTH + 1), 'bluesky-profile')).toThrow(
      new SourceError(
        ErrorCode.SourceInvalidResponse,
        'Bluesky account a: the response is nested too deeply',
      ),
    );
    const embed = `${'{"$type":"e","media":'.repeat(20_000)}{"$type":"e"}${'}'.repeat(20_000)}`;
    const feed =
      `{"feed":[{"post":{"uri":"at://did:plc:abc/app.bsky.feed.post/1","cid":"c",` +
      `"author":{"did":"did:plc:abc","handle":"a.test"},"record":{"text":"t","createdAt":"2024-01-01T00:00:00Z"},` +
      `"embed":${embed}}}]}`;
    expect(() => read(feed, 'bluesky-author-feed')).toThrow(
      'Bluesky account a: the response is nested too deeply',
    );
  });
});
