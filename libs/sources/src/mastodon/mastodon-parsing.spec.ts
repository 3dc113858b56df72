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

  it('answers a thread asked for texts with them, one per HTML and in order', () => {
    expect(runMastodonParse({ kind: 'texts', htmls: ['<p>a</p>', '', '<i>c</i>'], what: 'history' })).toEqual(
      {
        kind: 'texts',
        texts: ['a', '', 'c'],
      },
    );
  });
});
