// Hostile answers a Mastodon-compatible instance can give on the routes a poll reads, for the end-to-end
// hostile-source suite. Bodies are built as text so that what is on the wire is exactly what is meant
// (lone surrogates and NULs as JSON escapes, numbers no double can hold).

import { type HostileAnswer } from './hostile-server';

/**
 * - `parses`: the page is read and `goodPostIds` are stored (hostile posts beside them may be skipped);
 * - `refused`: the poll is a recorded failure with a readable reason;
 * - `parses-or-refused`: either.
 */
export interface HostileMastodonCase {
  name: string;
  /** how GET /api/v1/accounts/:id/statuses of `account` answers once armed */
  answer: (account: HostileMastodonAccount) => HostileAnswer;
  outcome: 'parses' | 'refused' | 'parses-or-refused';
  goodPostIds: string[];
  /** HTTP requests one poll makes for this answer (a redirect loop is followed up to the client's limit) */
  requestsPerPoll: number;
  /** the case answers 429: the host's rate limit applies to every account on it, so it needs its own host */
  ownHost?: boolean;
}

/** The account a case's statuses belong to, as the lookup answered it. */
export interface HostileMastodonAccount {
  accountId: string;
  username: string;
  origin: string;
}

export interface HostileMastodonOptions {
  /** the client's body size limit (VERBATIM_HTTP_MAX_BYTES) */
  maxBytes: number;
  /** redirects the client follows (VERBATIM_HTTP_MAX_REDIRECTS) */
  maxRedirects: number;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** One status as Mastodon renders it, with `fields` replaced raw (JSON text) where given. */
export function statusJson(
  options: HostileMastodonAccount,
  id: string,
  fields: { id?: string; content?: string; created_at?: string } = {},
): string {
  const { accountId, username, origin } = options;
  const account = `{"id":"${accountId}","username":"${username}","acct":"${username}","display_name":"Hostile","url":"${origin}/@${username}"}`;
  return (
    `{"id":${fields.id ?? JSON.stringify(id)},"uri":"${origin}/users/${username}/statuses/${id}",` +
    `"url":"${origin}/@${username}/${id}","created_at":${fields.created_at ?? '"2026-03-02T10:00:00.000Z"'},` +
    `"edited_at":null,"in_reply_to_id":null,"spoiler_text":"","content":${fields.content ?? `"<p>Statement ${id}.</p>"`},` +
    `"language":"en","account":${account},"media_attachments":[],"reblog":null}`
  );
}

/** The account JSON the lookup route answers with. */
export function accountJson(options: HostileMastodonAccount): string {
  const { accountId, username, origin } = options;
  return `{"id":"${accountId}","username":"${username}","acct":"${username}","display_name":"Hostile","url":"${origin}/@${username}"}`;
}

/** Every case; each answer is built for the account it is served to. */
export function hostileMastodonCorpus(options: HostileMastodonOptions): HostileMastodonCase[] {
  const good = '1000';
  type Status = [id: string, fields?: Parameters<typeof statusJson>[2]];
  /** a JSON list of statuses of the account the case is served to */
  const list =
    (...statuses: Status[]) =>
    (a: HostileMastodonAccount): Buffer =>
      Buffer.from(`[${statuses.map(([id, fields]) => statusJson(a, id, fields)).join(',')}]`);
  const json =
    (bytes: (a: HostileMastodonAccount) => Buffer | string, contentType: string | null = JSON_TYPE) =>
    (a: HostileMastodonAccount): HostileAnswer => {
      const built = bytes(a);
      return { kind: 'body', body: Buffer.isBuffer(built) ? built : Buffer.from(built), contentType };
    };
  const cases: HostileMastodonCase[] = [];
  const add = (
    name: string,
    answer: HostileMastodonCase['answer'],
    outcome: HostileMastodonCase['outcome'],
    extra: Partial<HostileMastodonCase> = {},
  ) =>
    cases.push({
      name,
      answer,
      outcome,
      goodPostIds: outcome === 'refused' ? [] : [good],
      requestsPerPoll: 1,
      ...extra,
    });

  add(
    'garbage-json',
    json(() => '{"id": [}}, <html>'),
    'refused',
  );
  add(
    'deep-nested-json',
    json(() => `${'['.repeat(100_000)}${']'.repeat(100_000)}`),
    'refused',
  );
  // one hostile post beside a good one: the good one is stored, the other skipped with its reason
  add('lone-surrogates', json(list([good], ['1001', { content: '"<p>a \\ud800 b \\udfff</p>"' }])), 'parses');
  add('nul-characters', json(list([good], ['1001', { content: '"<p>a\\u0000b</p>"' }])), 'parses');
  // nesting behind an element browsers read as raw text but htmlparser2 does not: under the off-thread
  // threshold, converted in the calling thread, where a stack overflow would lose the whole page
  add(
    'deep-nesting-behind-iframe',
    json(list([good], ['1001', { content: JSON.stringify(`<p><iframe>${'<div>'.repeat(4000)}x</p>`) }])),
    'parses',
  );
  // quotes nested 190 deep over many paragraphs: indenting each line per level would make megabytes of text
  add(
    'deep-blockquotes',
    json(
      list(
        [good],
        ['1001', { content: JSON.stringify(`${'<blockquote>'.repeat(190)}${'<p>w</p>'.repeat(8000)}`) }],
      ),
    ),
    'parses',
  );
  // 4 MB of nesting in one status: converted on a worker thread in a server, the good post stored beside it
  add(
    'deep-nested-content',
    json(
      list(
        [good],
        ['1001', { content: JSON.stringify(`${'<div>'.repeat(400_000)}deep${'</div>'.repeat(400_000)}`) }],
      ),
    ),
    'parses',
  );
  add('number-id-1e400', json(list([good], ['1001', { id: '1e400' }])), 'refused');
  add('id-200-digits', json(list([good], ['1'.repeat(200)])), 'refused');
  add(
    'absurd-dates',
    json(
      list(
        [good],
        ['1001', { created_at: '"+275760-09-13T00:00:00.000Z"' }],
        ['1002', { created_at: '"0000-01-01T00:00:00Z"' }],
        ['1003', { created_at: `"${'9'.repeat(400)}"` }],
      ),
    ),
    'parses-or-refused',
  );
  add(
    'ten-thousand-statuses',
    json(list(...Array.from({ length: 10_000 }, (_, i): Status => [String(20_000 - i)]))),
    'parses',
    { goodPostIds: ['20000'] },
  );
  add('past-size-limit', json(list([good, { content: `"${'x'.repeat(options.maxBytes)}"` }])), 'refused');
  add('empty-content-type', json(list([good]), ''), 'parses');
  add('no-content-type', json(list([good]), null), 'parses');
  add('content-type-says-image', json(list([good]), 'image/png'), 'parses');
  add(
    'html-labelled-json',
    json(() => '<!DOCTYPE html><html><body>Not here</body></html>'),
    'refused',
  );
  // an error answered with 8 MB of nesting: a body this large is not parsed for its message
  add(
    'huge-nested-error-body',
    () => ({
      kind: 'body',
      status: 500,
      body: Buffer.from(`{"error":${'['.repeat(4 * 1024 * 1024)}${']'.repeat(4 * 1024 * 1024)}}`),
      contentType: JSON_TYPE,
    }),
    'refused',
  );
  add(
    'retry-after-95-years',
    () => ({
      kind: 'body',
      status: 429,
      body: Buffer.from('{"error":"Too many requests"}'),
      contentType: JSON_TYPE,
      headers: { 'retry-after': '3000000000' },
    }),
    'refused',
    { ownHost: true },
  );
  add('redirect-loop', () => ({ kind: 'redirect-loop' }), 'refused', {
    requestsPerPoll: options.maxRedirects + 1,
  });
  add('slow-drip', (a) => ({ kind: 'slow-drip', body: list([good])(a), contentType: JSON_TYPE }), 'refused');
  return cases;
}
