import { htmlToPlainText } from './html-text';

describe('htmlToPlainText', () => {
  it('reads HTML the way a person sees it', () => {
    expect(htmlToPlainText('<p>One<br />two</p><p>Three &amp; four</p>')).toBe('One\ntwo\n\nThree & four');
    expect(htmlToPlainText('<p>See <a href="https://example.org/x">the statement</a>.</p>')).toBe(
      'See the statement.',
    );
    expect(
      htmlToPlainText('<p>&#8220;Quoted&#8221; &mdash; <span class="h-card">@<span>mfa</span></span></p>'),
    ).toBe('“Quoted” — @mfa');
  });

  it('never lets scripts or styles into the text', () => {
    expect(htmlToPlainText('<p>Safe</p><script>alert(1)</script><style>p{}</style>')).toBe('Safe');
  });

  it('keeps long lines whole', () => {
    const long = 'word '.repeat(60).trim();
    expect(htmlToPlainText(`<p>${long}</p>`)).toBe(long);
  });
});
