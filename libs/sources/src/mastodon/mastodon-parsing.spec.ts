import { join } from 'node:path';
import { runMastodonParse } from './mastodon-parse-task';
import { OFF_THREAD_MASTODON_BYTES, mastodonParsing } from './mastodon-parsing';

describe('mastodonParsing: edit texts', () => {
  it('turns HTML into text in this thread when run from sources, where no compiled worker script exists', async () => {
    const parsing = mastodonParsing({ timeoutMs: 1000, script: join(__dirname, 'no-such-worker.js') });
    expect(parsing.where).toBe('in-thread');
    expect(await parsing.texts(['<p>One</p><p>two</p>', '<b>bold</b> &amp; plain'], 'history')).toEqual([
      'One\n\ntwo',
      'bold & plain',
    ]);
    // past the thread threshold, the same answer (from a worker thread when built)
    const big = `<p>${'word '.repeat(OFF_THREAD_MASTODON_BYTES / 5)}</p>`;
    expect((await parsing.texts([big], 'history'))[0]).toBe(
      'word '.repeat(OFF_THREAD_MASTODON_BYTES / 5).trim(),
    );
    await parsing.close();
  });

  it('reads an edit history from its body in a thread as in this one, refusing what is not a list of edits', () => {
    const body = Buffer.from(
      JSON.stringify([
        {
          content: '<p>a</p>',
          created_at: '2026-01-01T10:00:00Z',
          account: { id: '1', username: 'mfa', acct: 'mfa', url: 'https://x.test/@mfa' },
        },
      ]),
    );
    // a thread gets the bytes as a plain Uint8Array
    const plain = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    const read = runMastodonParse({ kind: 'read-history', bytes: plain, what: 'history' });
    expect(read).toMatchObject({ kind: 'read-history', edits: [{ content: '<p>a</p>' }] });
    expect(() =>
      runMastodonParse({ kind: 'read-history', bytes: Buffer.from('{"id":"1"}'), what: 'history' }),
    ).toThrow('history: expected a list of status edits');
  });

  it("reads the batch route's answer and a single status in a thread as in this one", () => {
    const status = {
      id: '7',
      uri: 'https://x.test/users/mfa/statuses/7',
      url: 'https://x.test/@mfa/7',
      created_at: '2026-01-01T10:00:00Z',
      content: '<p>a</p>',
      account: { id: '1', username: 'mfa', acct: 'mfa', url: 'https://x.test/@mfa' },
    };
    // a thread gets the bytes as a plain Uint8Array
    const bytes = (value: unknown) => new Uint8Array(Buffer.from(JSON.stringify(value)));
    expect(runMastodonParse({ kind: 'read-batch', bytes: bytes([status]), what: 'batch' })).toMatchObject({
      kind: 'read-batch',
      statuses: [{ id: '7', content: '<p>a</p>' }],
    });
    // JSON that is not a list is some other route answering: null, for the caller to stop using the route
    expect(runMastodonParse({ kind: 'read-batch', bytes: bytes({ error: 'x' }), what: 'batch' })).toEqual({
      kind: 'read-batch',
      statuses: null,
    });
    expect(() =>
      runMastodonParse({ kind: 'read-batch', bytes: Buffer.from('<html>'), what: 'batch' }),
    ).toThrow(/^batch: /);
    expect(() =>
      runMastodonParse({ kind: 'read-batch', bytes: bytes([{ id: '7' }]), what: 'batch' }),
    ).toThrow(/^batch: /);
    expect(runMastodonParse({ kind: 'read-status', bytes: bytes(status), what: 'status' })).toMatchObject({
      kind: 'read-status',
      status: { id: '7', account: { username: 'mfa' } },
    });
    expect(() => runMastodonParse({ kind: 'read-status', bytes: bytes([status]), what: 'status' })).toThrow(
      /^status: /,
    );
  });

  it('answers a thread asked for texts with them, one per HTML and in order', () => {
    expect(runMastodonParse({ kind: 'texts', htmls: ['<p>a</p>', '', '<i>c</i>'], what: 'history' })).toEqual(
      {
        kind: 'texts',
        texts: ['a', '', 'c'],
      },
    );
  });
});
