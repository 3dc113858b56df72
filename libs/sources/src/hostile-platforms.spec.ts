import { ErrorCode, SourceError } from '@app/core';
import { startHostileServer, type HostileServer } from '@app/testing/hostile/hostile-server';
import {
  hostileTelegramCorpus,
  hostileXCorpus,
  telegramQuietPage,
  xUserJson,
  X_QUIET_TIMELINE,
  type HostilePlatformCase,
} from '@app/testing/hostile/platform-corpus';
import { testHttpClient } from '@app/testing/test-http-client';
import { type PollResult } from './connector';
import { type GuardedHttpClient } from './http';
import { TelegramConnector } from './telegram';
import { XConnector } from './x';

const MAX_BYTES = 2 * 1024 * 1024;

/** A message a reader of the account's last error understands: short, no stack, no "[object …]". */
function readable(message: string): boolean {
  return (
    message.length > 0 && message.length < 2000 && !/\n\s+at /.test(message) && !message.includes('[object')
  );
}

type Ended = { kind: 'parsed'; postIds: string[] } | { kind: 'refused'; error: SourceError };

/** A poll's end: the posts it returned, or the SourceError it refused with; anything else fails the test. */
async function ending(poll: Promise<PollResult<unknown>>): Promise<Ended> {
  try {
    const result = await poll;
    return {
      kind: 'parsed',
      postIds: result.kind === 'posts' ? result.posts.map((p) => p.content.postId) : [],
    };
  } catch (error) {
    if (error instanceof SourceError) return { kind: 'refused', error };
    throw error;
  }
}

function expectOutcome(testCase: HostilePlatformCase, ended: Ended): void {
  if (ended.kind === 'refused') {
    // the refusal's words, so a wrong outcome says why
    expect(`${testCase.outcome}: ${ended.error.message}`).not.toMatch(/^parses:/);
    expect(readable(ended.error.message)).toBe(true);
    // a refusal is a source failure the worker backs off on, never a bad-input or internal code
    expect(ended.error.code.startsWith('source-')).toBe(true);
  } else {
    expect(`${testCase.outcome}: parsed ${ended.postIds.length} posts`).not.toMatch(/^refused:/);
    if (testCase.outcome === 'parses') expect(ended.postIds).toContain(testCase.goodPostId);
  }
}

/**
 * X's API and Telegram's web preview turned hostile (sources.md: the shapes are X v2 JSON and t.me/s HTML):
 * every answer ends as the good post captured or a readable, retryable SourceError, in time linear in its
 * size (the slow drip is cut by the client's total timeout), and never as a crash or a stack overflow.
 */
describe('hostile platforms: X and Telegram', () => {
  let server: HostileServer;
  // a client per case: a 429 rightly teaches a client to leave the whole host alone
  let http: GuardedHttpClient;

  beforeAll(async () => {
    server = await startHostileServer();
  });

  beforeEach(() => {
    http = testHttpClient({ maxBytes: MAX_BYTES, totalTimeoutMs: 1500, maxRedirects: 3 });
  });

  afterEach(async () => {
    await http.close();
  });

  afterAll(async () => {
    await server.close();
  });

  describe('X API v2', () => {
    const connector = () =>
      new XConnector(http, {
        apiBaseUrl: server.origin,
        bearerToken: 'hostile-token',
        syndicationBaseUrl: server.origin,
        oembedBaseUrl: server.origin,
        monthlyReadBudget: 1_000_000,
      });

    it.each(hostileXCorpus({ maxBytes: MAX_BYTES }).map((c, i) => [c.name, c, i] as const))(
      '%s',
      async (_name, testCase, index) => {
        const user = { id: String(910_000 + index), username: `hostile_${index}` };
        const lookup = {
          kind: 'body' as const,
          body: Buffer.from(xUserJson(user)),
          contentType: 'application/json',
        };
        server.route(`/2/users/by/username/${user.username}`, { before: lookup, after: lookup });
        const quiet = {
          kind: 'body' as const,
          body: Buffer.from(X_QUIET_TIMELINE),
          contentType: 'application/json',
        };
        server.route(`/2/users/${user.id}/tweets`, { before: quiet, after: quiet });
        const x = connector();
        const account = await x.resolve(new URL(`https://x.com/${user.username}`));
        const answer = testCase.answer(user.id);
        server.route(`/2/users/${user.id}/tweets`, { before: answer, after: answer });
        const ended = await ending(x.poll(account, x.readCursor({})));
        expectOutcome(testCase, ended);
        if (testCase.name === 'rate-limit-reset-in-2100' && ended.kind === 'refused')
          expect(ended.error.code).toBe(ErrorCode.SourceRateLimited);
      },
    );
  });

  describe('Telegram web preview', () => {
    const connector = () => new TelegramConnector(http, { baseUrl: server.origin, backfillLimit: 50 });

    it.each(hostileTelegramCorpus({ maxBytes: MAX_BYTES }).map((c) => [c.name, c] as const))(
      '%s',
      async (_name, testCase) => {
        const quiet = {
          kind: 'body' as const,
          body: Buffer.from(telegramQuietPage()),
          contentType: 'text/html',
        };
        server.route('/s/hostile_mfa', { before: quiet, after: quiet });
        const telegram = connector();
        const account = await telegram.resolve(new URL('https://t.me/hostile_mfa'));
        const answer = testCase.answer('hostile_mfa');
        server.route('/s/hostile_mfa', { before: answer, after: answer });
        const ended = await ending(telegram.poll(account, telegram.readCursor({})));
        expectOutcome(testCase, ended);
        if (testCase.name === 'retry-after-95-years' && ended.kind === 'refused')
          expect(ended.error.code).toBe(ErrorCode.SourceRateLimited);
      },
    );
  });
});
