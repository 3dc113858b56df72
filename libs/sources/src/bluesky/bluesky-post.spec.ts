import { contentSha256 } from '@app/core';
import { postView } from './bluesky-entities';
import { postToContent } from './bluesky-post';

const DID = 'did:plc:pjlhgjhb34k4zufrtbh2jyms';

// A post with a link card as the AppView hydrates it (app.bsky.feed.defs#postView, app.bsky.embed.external#view).
const withLinkCard = {
  uri: `at://${DID}/app.bsky.feed.post/3lyl2ioyvhs2e`,
  cid: 'bafyreie36hv3vh74dqr7zvswes4ascrqfwd7nrr3tytck5ypyd5d2a5dge',
  author: { did: DID, handle: 'mfa.gov.example', displayName: 'MFA' },
  record: {
    $type: 'app.bsky.feed.post',
    createdAt: '2025-03-01T09:00:00.000Z',
    langs: ['en'],
    text: 'Our statement on the talks.',
    embed: {
      $type: 'app.bsky.embed.external',
      external: {
        uri: 'https://mfa.gov.example/en/news/talks',
        title: 'Statement on the talks',
        description: 'The ministry comments.',
        thumb: {
          $type: 'blob',
          ref: { $link: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku' },
          mimeType: 'image/jpeg',
          size: 48213,
        },
      },
    },
  },
  embed: {
    $type: 'app.bsky.embed.external#view',
    external: {
      uri: 'https://mfa.gov.example/en/news/talks',
      title: 'Statement on the talks',
      description: 'The ministry comments.',
      thumb: `https://cdn.bsky.app/img/feed_thumbnail/plain/${DID}/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku@jpeg`,
    },
  },
  replyCount: 0,
  repostCount: 3,
  likeCount: 12,
  indexedAt: '2025-03-01T09:00:01.204Z',
};

describe('postToContent: media', () => {
  it("lists a link card's thumbnail, described by the page, and leaves it out of the content hash", () => {
    const content = postToContent(postView.parse(withLinkCard))!;
    expect(content.media).toEqual([
      {
        kind: 'link-preview-image',
        url: withLinkCard.embed.external.thumb,
        mediaType: null,
        description: 'Statement on the talks\nhttps://mfa.gov.example/en/news/talks',
      },
    ]);
    expect(contentSha256(content)).toBe(contentSha256({ ...content, media: [] }));
  });

  it('lists nothing for a card without a thumbnail, or whose link is not http(s)', () => {
    const bare = {
      ...withLinkCard,
      embed: { ...withLinkCard.embed, external: { uri: 'https://mfa.gov.example/' } },
    };
    expect(postToContent(postView.parse(bare))?.media).toEqual([]);
    const odd = {
      ...withLinkCard,
      embed: {
        ...withLinkCard.embed,
        external: { ...withLinkCard.embed.external, uri: 'javascript:alert(1)' },
      },
    };
    expect(postToContent(postView.parse(odd))?.media).toEqual([]);
  });
});
