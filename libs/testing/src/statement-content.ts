import { type StatementContent } from '@app/core';

/** A Mastodon post's content for specs: a plain English text, no media, with what the spec sets over it. */
export function statementContent(
  postId: string,
  overrides: Partial<StatementContent> = {},
): StatementContent {
  return {
    platform: 'mastodon',
    account: 'mfa@diplo.example',
    postId,
    url: `https://diplo.example/@mfa/${postId}`,
    authoredAt: '2026-11-30T10:00:00.000Z',
    editedAt: null,
    title: null,
    text: 'The talks are postponed.',
    html: null,
    language: 'en',
    media: [],
    isReply: false,
    isRepost: false,
    isQuote: false,
    parserVersion: 'test-1',
    ...overrides,
  };
}
