import { contentSha256 } from '@app/core';
import { type FeedItem, feedItemToContent } from './feed-items';

const HANDLE = 'https://mfa.example.gov/press/rss.xml';

function item(overrides: Partial<FeedItem> = {}): FeedItem {
  return {
    id: 'tag:mfa.example.gov,2026:1',
    link: 'https://mfa.example.gov/press/1',
    title: 'Statement',
    html: '<p>First paragraph &amp; more.</p><p>Second<br>line</p>',
    published: '2026-02-10T08:00:00.000Z',
    updated: null,
    author: 'Press Service',
    categories: ['Statements'],
    enclosures: [],
    language: 'en',
    ...overrides,
  };
}

describe('feedItemToContent', () => {
  it('maps an item to the statement it shows', () => {
    expect(feedItemToContent(item(), HANDLE)).toEqual({
      platform: 'feed',
      account: HANDLE,
      postId: 'tag:mfa.example.gov,2026:1',
      url: 'https://mfa.example.gov/press/1',
      authoredAt: '2026-02-10T08:00:00.000Z',
      editedAt: null,
      title: 'Statement',
      text: 'First paragraph & more.\n\nSecond\nline',
      html: '<p>First paragraph &amp; more.</p><p>Second<br>line</p>',
      language: 'en',
      media: [],
      isReply: false,
      isRepost: false,
      isQuote: false,
      parserVersion: 'feed/1',
    });
  });

  it('sets editedAt only when Atom updated differs from published', () => {
    expect(feedItemToContent(item({ updated: '2026-02-10T08:00:00.000Z' }), HANDLE).editedAt).toBeNull();
    expect(feedItemToContent(item({ updated: '2026-02-11T09:00:00.000Z' }), HANDLE).editedAt).toBe(
      '2026-02-11T09:00:00.000Z',
    );
    const onlyUpdated = feedItemToContent(
      item({ published: null, updated: '2026-02-11T09:00:00.000Z' }),
      HANDLE,
    );
    expect(onlyUpdated).toMatchObject({ authoredAt: '2026-02-11T09:00:00.000Z', editedAt: null });
  });

  it('falls back to the feed URL when the item has no link, and to empty text without a body', () => {
    expect(feedItemToContent(item({ link: null, html: null }), HANDLE)).toMatchObject({
      url: HANDLE,
      html: null,
      text: '',
    });
  });

  it('takes the media kind from the MIME type, then media:content medium, else unknown', () => {
    const content = feedItemToContent(
      item({
        enclosures: [
          { url: 'https://f.example/a.jpg', type: 'image/jpeg', description: 'alt', medium: null },
          { url: 'https://f.example/b.mp4', type: 'video/mp4', description: null, medium: 'image' },
          { url: 'https://f.example/c.mp3', type: 'audio/mpeg', description: null, medium: null },
          { url: 'https://f.example/d.pdf', type: 'application/pdf', description: null, medium: null },
          { url: 'https://f.example/e', type: null, description: null, medium: 'video' },
        ],
      }),
      HANDLE,
    );
    expect(content.media).toEqual([
      { kind: 'image', url: 'https://f.example/a.jpg', mediaType: 'image/jpeg', description: 'alt' },
      { kind: 'video', url: 'https://f.example/b.mp4', mediaType: 'video/mp4', description: null },
      { kind: 'audio', url: 'https://f.example/c.mp3', mediaType: 'audio/mpeg', description: null },
      { kind: 'unknown', url: 'https://f.example/d.pdf', mediaType: 'application/pdf', description: null },
      { kind: 'video', url: 'https://f.example/e', mediaType: null, description: null },
    ]);
  });

  it('gives a changed body or title under the same id a different content hash (a new version)', () => {
    const original = contentSha256(feedItemToContent(item(), HANDLE));
    expect(contentSha256(feedItemToContent(item(), HANDLE))).toBe(original);
    expect(contentSha256(feedItemToContent(item({ html: '<p>Corrected.</p>' }), HANDLE))).not.toBe(original);
    expect(contentSha256(feedItemToContent(item({ title: 'Statement (updated)' }), HANDLE))).not.toBe(
      original,
    );
  });
});
