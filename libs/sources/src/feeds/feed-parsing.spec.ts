import { join } from 'node:path';
import { feedParsing } from './feed-parsing';

describe('feedParsing', () => {
  it('parses in this thread when run from sources, where no compiled worker script exists', async () => {
    const parsing = feedParsing({ timeoutMs: 1000, script: join(__dirname, 'no-such-worker.js') });
    expect(parsing.where).toBe('in-thread');
    const feed = await parsing.parse({
      bytes: Buffer.from(
        '<rss version="2.0"><channel><title>t</title><item><guid>a</guid><description>&lt;p&gt;Hi&lt;/p&gt;</description></item></channel></rss>',
      ),
      baseUrl: 'https://example.org/rss',
      contentType: null,
      handle: 'https://example.org/rss',
    });
    expect(feed.contents).toEqual([expect.objectContaining({ postId: 'a', text: 'Hi' })]);
    await parsing.close();
  });
});
