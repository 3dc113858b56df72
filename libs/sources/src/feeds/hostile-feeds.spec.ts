import { hostileFeedCorpus } from '@app/testing/hostile/feed-corpus';
import { ErrorCode, SourceError } from '@app/core';
import { feedItemToContent } from './feed-items';
import { parseFeed } from './feed-parser';
import { type ParsedFeed } from './feed-items';

const FEED_URL = 'https://feeds.example.org/rss';
const MAX_BYTES = 1024 * 1024;
const corpus = hostileFeedCorpus({ maxBytes: MAX_BYTES });

/** The parse result, or the error it threw (a stack overflow would surface here as a RangeError). */
function attempt(run: () => ParsedFeed): ParsedFeed | unknown {
  try {
    return run();
  } catch (error) {
    return error;
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// RFC 3339 timestamps, four-digit years: what the archive stores and compares
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('parseFeed against the hostile-source corpus', () => {
  it('covers every family', () => {
    expect(new Set(corpus.map((c) => c.family))).toEqual(
      new Set([
        'size-limit',
        'quadratic',
        'entities',
        'nesting',
        'characters',
        'content-type',
        'dates',
        'ids',
        'volume',
      ]),
    );
  });

  it.each(corpus.map((c) => [c.name, c] as const))(
    '%s: parses with its good items, or is refused with a reason',
    (_name, c) => {
      const result = attempt(() => parseFeed(c.body, FEED_URL, { contentType: c.contentType }));

      if (!(result instanceof Error)) {
        expect(c.outcome).not.toBe('refused');
        const feed = result as ParsedFeed;
        const ids = feed.items.map((item) => item.id);
        for (const id of c.goodItemIds) expect(ids).toContain(id);
        // the first items and the good ones (converting all 10,000 of the large feed would only cost time)
        const checked = feed.items.filter((item, i) => i < 100 || c.goodItemIds.includes(item.id));
        for (const item of checked) {
          // what the capture does next must not throw either
          const content = feedItemToContent(item, FEED_URL);
          const strings = JSON.stringify(content);
          expect(strings).not.toMatch(LONE_SURROGATE);
          for (const date of [item.published, item.updated]) if (date !== null) expect(date).toMatch(RFC3339);
        }
        return;
      }
      expect(c.outcome).not.toBe('parses');
      expect(result).toBeInstanceOf(SourceError);
      const error = result as SourceError;
      expect(error.code).toBe(ErrorCode.SourceInvalidResponse);
      expect(error.message).toMatch(/^not an RSS or Atom feed: \S.{8,}/);
      expect(error.message.length).toBeLessThan(400);
    },
  );

  it('keeps the text beyond the nesting cap, flat', () => {
    const c = corpus.find((x) => x.name === 'deep-html-description')!;
    const deep = parseFeed(c.body, FEED_URL).items.find((item) => item.id === 'deep')!;
    expect(feedItemToContent(deep, FEED_URL).text).toBe('inner text');
    const atom = corpus.find((x) => x.name === 'deep-html-atom-title')!;
    expect(parseFeed(atom.body, FEED_URL).items[0].title).toBe('inner title');
  });

  it('keeps items with absurd dates, the dates unknown', () => {
    for (const name of ['year-zero', 'year-275760', 'garbage-dates', 'atom-absurd-dates']) {
      const c = corpus.find((x) => x.name === name)!;
      const items = parseFeed(c.body, FEED_URL).items;
      expect(items.length).toBeGreaterThanOrEqual(2);
      for (const item of items.filter((i) => i.id !== 'https://example.org/statements/good-1')) {
        expect([item.id, item.published, item.updated]).toEqual([item.id, null, null]);
      }
    }
  });

  it('keeps all 10,000 items of a large feed', () => {
    const c = corpus.find((x) => x.name === 'ten-thousand-items')!;
    expect(parseFeed(c.body, FEED_URL).items).toHaveLength(10_000);
  });

  it('builds the size-limit cases at and one byte past the limit', () => {
    const at = corpus.find((x) => x.name === 'at-size-limit')!;
    const past = corpus.find((x) => x.name === 'past-size-limit')!;
    expect(at.body.length).toBe(MAX_BYTES);
    expect(at.exceedsSizeLimit).toBe(false);
    expect(past.body.length).toBe(MAX_BYTES + 1);
    expect(past.exceedsSizeLimit).toBe(true);
  });

  it('refuses each entity trick before expanding anything', () => {
    for (const c of corpus.filter((x) => x.family === 'entities' && x.outcome === 'refused')) {
      const error = attempt(() => parseFeed(c.body, FEED_URL)) as SourceError;
      expect(error.message).toMatch(/refused: /);
    }
  });
});
