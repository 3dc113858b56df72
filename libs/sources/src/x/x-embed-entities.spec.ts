import { ErrorCode, SourceError } from '@app/core';
import { oembedToContent } from './x-embed-entities';

const ID = '1497887476523327488';
const blockquote = (paragraph: string, byline = 'Dmytro Kuleba (@DmytroKuleba)') =>
  `<blockquote class="twitter-tweet"><p lang="en" dir="ltr">${paragraph}</p>&mdash; ${byline} ` +
  `<a href="https://twitter.com/DmytroKuleba/status/${ID}?ref_src=twsrc%5Etfw">February 27, 2022</a></blockquote>\n` +
  '<script async src="https://platform.x.com/widgets.js" charset="utf-8"></script>\n';
const body = (html: string) => ({
  html,
  author_name: 'Dmytro Kuleba',
  url: `https://twitter.com/DmytroKuleba/status/${ID}`,
});
const refusal = (html: string): unknown => {
  try {
    return oembedToContent(body(html), ID, 'the oEmbed answer');
  } catch (error) {
    return error;
  }
};

describe('oembedToContent', () => {
  it('reads the text, handle, post id and language of an oEmbed blockquote', () => {
    const { content, username } = oembedToContent(
      body(blockquote('Foreigners willing to defend Ukraine')),
      ID,
      'the oEmbed answer',
    );
    expect(username).toBe('DmytroKuleba');
    expect(content).toMatchObject({
      postId: ID,
      text: 'Foreigners willing to defend Ukraine',
      language: 'en',
      // the time the id carries (its date agrees with the link's)
      authoredAt: '2022-02-27T10:52:58.463Z',
      via: 'x-oembed',
    });
  });

  it('keeps a text that itself holds a dash and a handle, reading the last ones as the byline', () => {
    const paragraph = 'Thanks to (@someone) &mdash; as always <a href="https://t.co/x">(@ministry)</a>';
    const { content } = oembedToContent(body(blockquote(paragraph)), ID, 'the oEmbed answer');
    expect(content.text).toBe('Thanks to (@someone) — as always (@ministry)');
  });

  it.each([
    ['repeated bylines with no link', '</p>&mdash; '.repeat(8000)],
    ['repeated bylines and handles', '</p>&mdash; (@a) '.repeat(6000)],
    ['no byline', 'just text'],
  ])('refuses html that is not an X blockquote: %s', (_, paragraph) => {
    const html = `<blockquote class="twitter-tweet"><p>${paragraph}`;
    const error = refusal(html) as SourceError;
    expect(error).toBeInstanceOf(SourceError);
    expect(error.code).toBe(ErrorCode.SourceInvalidResponse);
    expect(error.message).toContain('not an X blockquote');
  });

  it('refuses an answer about another post', () => {
    const error = refusal(blockquote('text').replace(ID, '1497887476523327489')) as SourceError;
    expect(error.message).toContain(`not ${ID}`);
  });
});
