import { MAX_HTML_DEPTH, capHtmlNesting, deepestNestingOf } from './html-nesting';
import { MAX_INDENTED_DEPTH, htmlToPlainText } from './html-text';

const nested = (tag: string, depth: number, inner: string): string =>
  `<${tag}>`.repeat(depth) + inner + `</${tag}>`.repeat(depth);

describe('capHtmlNesting', () => {
  it.each([
    '<p>One<br />two</p><p>Three &amp; four</p>',
    '<ul><li>a<li>b<li>c</ul>',
    '<div title="a > b" data-x=\'<span>\'><span>x</span></div>',
    '<p>a < b and 3<4</p><script>if (a < b) {}</script>',
    nested('div', MAX_HTML_DEPTH, 'deep but allowed'),
    '<ul>' + '<li>item'.repeat(1000) + '</ul>',
  ])('returns HTML within the cap unchanged: %#', (html) => {
    expect(capHtmlNesting(html)).toBe(html);
  });

  it('drops the tags beyond the cap and keeps their text', () => {
    const html = nested('div', 5, 'inner');
    expect(capHtmlNesting(html, 3)).toBe('<div><div><div>inner</div></div></div>');
    expect(capHtmlNesting('<b>1<i>2<u>3<s>4</s>5</u>6</i>7</b>8', 2)).toBe('<b>1<i>23456</i>7</b>8');
  });

  it('counts <div/> as an opening tag, as HTML parsers do', () => {
    expect(capHtmlNesting('<div/>'.repeat(5) + 'x', 2)).toBe('<div/><div/>x');
  });

  it('keeps scripts whole beyond the cap, so their code never becomes text', () => {
    const html = nested('span', 4, '<script>alert(1)</script>ok');
    expect(capHtmlNesting(html, 2)).toBe('<span><span><script>alert(1)</script>ok</span></span>');
  });
});

describe('htmlToPlainText on deep nesting', () => {
  it.each(['iframe', 'textarea', 'xmp', 'noembed', 'noframes'])(
    'counts what is inside <%s> as markup, as htmlparser2 reads it, so nesting there is capped too',
    (tag) => {
      const html = `<p><${tag}>${'<div>'.repeat(20_000)}the inner statement</p>`;
      expect(htmlToPlainText(html)).toContain('the inner statement');
    },
  );

  it.each(['div', 'span'])(
    'converts 100,000 nested <%s> without overflowing and keeps the inner text',
    (tag) => {
      const html = `<p>before</p>${nested(tag, 100_000, 'the inner statement')}<p>after</p>`;
      const text = htmlToPlainText(html);
      expect(text).toContain('the inner statement');
      expect(text).toMatch(/^before/);
      expect(text).toMatch(/after$/);
    },
  );

  it('keeps text interleaved at every level beyond the cap', () => {
    const html = Array.from({ length: 1000 }, (_, i) => `<div>${i} `).join('') + '</div>'.repeat(1000);
    const text = htmlToPlainText(html);
    expect(text).toContain('0 ');
    expect(text).toContain('500 ');
    expect(text).toContain('999');
  });

  it('converts an unterminated flood of opening tags', () => {
    expect(htmlToPlainText('<b>'.repeat(100_000) + 'tail')).toBe('tail');
  });
});

describe('quotes and lists nested deep', () => {
  const quotes = new Set(['blockquote', 'ul']);

  it('counts how deep the named elements nest, a stray closing tag closing nothing', () => {
    expect(
      deepestNestingOf('<blockquote><p>a<blockquote>b</blockquote></blockquote><ul><li>c</ul>', quotes),
    ).toBe(2);
    expect(deepestNestingOf('</blockquote></ul><blockquote><ul><li>x</ul></blockquote>', quotes)).toBe(2);
    expect(deepestNestingOf('<script><blockquote><blockquote></script><ul>', quotes)).toBe(1);
  });

  it('indents quotes and lists as a reader sees them, up to the depth a real post has', () => {
    const html = nested('blockquote', MAX_INDENTED_DEPTH - 1, '<p>deep</p>') + '<ul><li>a<li>b</ul>';
    const text = htmlToPlainText(html);
    expect(text).toContain('> '.repeat(MAX_INDENTED_DEPTH - 1) + 'deep');
    expect(text).toContain(' * a\n * b');
  });

  it('does not indent quotes nested deeper, so the text grows with the HTML, not with depth times lines', () => {
    for (const tag of ['blockquote', 'ul']) {
      const html = `<${tag}>`.repeat(190) + '<p>w</p>'.repeat(8_000);
      const text = htmlToPlainText(html);
      expect(text.split('w')).toHaveLength(8_001);
      expect(text.length).toBeLessThan(html.length);
    }
  });
});
