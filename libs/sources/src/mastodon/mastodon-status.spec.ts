import { ErrorCode, type SourceError } from '@app/core';
import { parseStatus } from './mastodon-entities';
import { statusToContent } from './mastodon-status';

/** The Status example of the Mastodon documentation (entities/Status.md), trimmed of counters. */
function docsStatus(): Record<string, unknown> {
  return {
    id: '103270115826048975',
    created_at: '2019-12-08T03:48:33.901Z',
    in_reply_to_id: null,
    in_reply_to_account_id: null,
    sensitive: false,
    spoiler_text: '',
    visibility: 'public',
    language: 'en',
    uri: 'https://mastodon.social/users/Gargron/statuses/103270115826048975',
    url: 'https://mastodon.social/@Gargron/103270115826048975',
    replies_count: 5,
    reblogs_count: 6,
    favourites_count: 11,
    edited_at: null,
    content:
      '<p>&quot;I lost my inheritance with one wrong digit on my sort code&quot;</p><p><a href="https://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code" rel="nofollow noopener noreferrer" target="_blank"><span class="invisible">https://www.</span><span class="ellipsis">theguardian.com/money/2019/dec</span><span class="invisible">/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code</span></a></p>',
    reblog: null,
    application: { name: 'Web', website: null },
    account: {
      id: '1',
      username: 'Gargron',
      acct: 'Gargron',
      display_name: 'Eugen',
      url: 'https://mastodon.social/@Gargron',
      emojis: [],
      fields: [],
    },
    media_attachments: [],
    mentions: [],
    tags: [],
    emojis: [],
    card: null,
    poll: null,
  };
}

const parse = (value: unknown) => parseStatus(value, 'test');

function invalidReason(value: unknown): string {
  try {
    parse(value);
  } catch (error) {
    expect((error as SourceError).code).toBe(ErrorCode.SourceInvalidResponse);
    return (error as SourceError).message;
  }
  throw new Error('expected the status to be refused');
}

describe('statusToContent', () => {
  it('normalizes the documentation example', () => {
    expect(statusToContent(parse(docsStatus()), 'mastodon.social')).toEqual({
      platform: 'mastodon',
      account: 'Gargron@mastodon.social',
      postId: '103270115826048975',
      url: 'https://mastodon.social/@Gargron/103270115826048975',
      authoredAt: '2019-12-08T03:48:33.901Z',
      editedAt: null,
      title: null,
      text: '"I lost my inheritance with one wrong digit on my sort code"\n\nhttps://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code',
      html: docsStatus().content,
      language: 'en',
      media: [],
      isReply: false,
      isRepost: false,
      isQuote: false,
      parserVersion: 'mastodon/1',
    });
  });

  it('uses the content warning as title, the uri when there is no url, and edited_at', () => {
    const content = statusToContent(
      parse({
        ...docsStatus(),
        spoiler_text: 'Statement on the situation',
        url: null,
        edited_at: '2019-12-08T04:00:00.000Z',
        in_reply_to_id: '103270115826040000',
        language: null,
      }),
      'mastodon.social',
    );
    expect(content).toMatchObject({
      title: 'Statement on the situation',
      url: 'https://mastodon.social/users/Gargron/statuses/103270115826048975',
      editedAt: '2019-12-08T04:00:00.000Z',
      isReply: true,
      language: null,
    });
  });

  it('keeps media kind, url and description, skipping attachments still processing', () => {
    const content = statusToContent(
      parse({
        ...docsStatus(),
        media_attachments: [
          {
            id: '22345792',
            type: 'image',
            url: 'https://files.mastodon.social/media_attachments/files/022/345/792/original/57859aede991da25.jpeg',
            preview_url:
              'https://files.mastodon.social/media_attachments/files/022/345/792/small/57859aede991da25.jpeg',
            remote_url: null,
            meta: { original: { width: 640, height: 480, size: '640x480', aspect: 1.3333333333333333 } },
            description: 'test media description',
            blurhash: 'UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}',
          },
          {
            id: '22345793',
            type: 'video',
            url: null,
            preview_url: null,
            remote_url: null,
            meta: {},
            description: null,
          },
        ],
      }),
      'mastodon.social',
    );
    expect(content.media).toEqual([
      {
        kind: 'image',
        url: 'https://files.mastodon.social/media_attachments/files/022/345/792/original/57859aede991da25.jpeg',
        mediaType: null,
        description: 'test media description',
      },
    ]);
  });

  it('shows a boost with the boosted words under the boost’s own id, url and time', () => {
    const original = { ...docsStatus(), spoiler_text: 'CW', language: 'de' };
    const boost = {
      ...docsStatus(),
      id: '103270115826049999',
      created_at: '2019-12-09T10:00:00.000Z',
      uri: 'https://mastodon.social/users/Gargron/statuses/103270115826049999/activity',
      url: 'https://mastodon.social/users/Gargron/statuses/103270115826049999/activity',
      content: '',
      language: null,
      reblog: original,
    };
    const content = statusToContent(parse(boost), 'mastodon.social');
    expect(content).toMatchObject({
      postId: '103270115826049999',
      url: 'https://mastodon.social/users/Gargron/statuses/103270115826049999/activity',
      authoredAt: '2019-12-09T10:00:00.000Z',
      html: docsStatus().content,
      title: 'CW',
      language: 'de',
      isRepost: true,
    });
  });

  it('flags a quote (Mastodon 4.4 quote field)', () => {
    const quoted = { state: 'accepted', quoted_status: docsStatus() };
    expect(statusToContent(parse({ ...docsStatus(), quote: quoted }), 'mastodon.social').isQuote).toBe(true);
    expect(statusToContent(parse({ ...docsStatus(), quote: null }), 'mastodon.social').isQuote).toBe(false);
  });

  it('keeps the domain of a remote account and the port of the instance', () => {
    const remote = {
      ...docsStatus(),
      account: { ...(docsStatus().account as object), acct: 'noiob@awoo.space' },
    };
    expect(statusToContent(parse(remote), 'mastodon.social').account).toBe('noiob@awoo.space');
    expect(statusToContent(parse(docsStatus()), '127.0.0.1:3000').account).toBe('Gargron@127.0.0.1:3000');
  });
});

describe('parseStatus', () => {
  it.each([
    ['a numeric id', { id: 1032701158 }, 'status.id'],
    ['content that is not a string', { content: null }, 'status.content'],
    ['a missing account', { account: undefined }, 'account is not an object'],
    [
      'an account id that is a number',
      { account: { ...(docsStatus().account as object), id: 1 } },
      'account.id',
    ],
    ['a javascript: url', { url: 'javascript:alert(1)' }, 'status.url'],
    ['an unreadable date', { created_at: 'yesterday' }, 'created_at'],
    ['media that is not a list', { media_attachments: {} }, 'media_attachments'],
    ['a boost of a boost', { reblog: { ...docsStatus(), reblog: docsStatus() } }, 'boost of a boost'],
  ])('refuses %s', (_name, patch, reason) => {
    expect(invalidReason({ ...docsStatus(), ...patch })).toContain(reason);
  });

  it('keeps a web URL as it is sent: percent-encoded, the host in ASCII', () => {
    const status = parse({ ...docsStatus(), url: 'https://діло.example/@ю/1' });
    expect(status.url).toBe('https://xn--d1aoj8g.example/@%D1%8E/1');
    expect(statusToContent(status, 'діло.example').url).toBe('https://xn--d1aoj8g.example/@%D1%8E/1');
  });

  it('refuses something that is not an object', () => {
    expect(invalidReason('<html>')).toContain('not an object');
    expect(invalidReason(null)).toContain('not an object');
  });
});
