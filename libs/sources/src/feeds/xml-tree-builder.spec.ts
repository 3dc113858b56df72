import { parseXmlTree, XmlRefusal } from './xml-tree-builder';

const read = (xml: string, isRawContent?: (path: readonly string[]) => boolean) =>
  parseXmlTree(xml, { maxDepth: 8, isRawContent });

function refusal(run: () => unknown): XmlRefusal {
  try {
    run();
  } catch (error) {
    if (error instanceof XmlRefusal) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('parseXmlTree', () => {
  it('gives text-only elements as strings, others as objects with @_ attributes, #text and children', () => {
    const tree = read(
      '<?xml version="1.0"?><!-- a comment --><rss version="2.0"><channel><title>News</title>' +
        '<guid isPermaLink="false"> id-1 </guid><empty/><blank></blank>' +
        '<item><title>one</title></item><item><title>two</title></item></channel></rss>',
    );
    expect(tree).toEqual({
      rss: {
        '@_version': '2.0',
        channel: {
          title: 'News',
          guid: { '@_isPermaLink': 'false', '#text': ' id-1 ' },
          empty: '',
          blank: '',
          item: [{ title: 'one' }, { title: 'two' }],
        },
      },
    });
  });

  it('decodes references once, XML and HTML names and numbers, and leaves CDATA as written', () => {
    const tree = read(
      '<t a="x &amp;amp; &quot;y&quot;">&amp;lt; &lt;b&gt; &nbsp;&#8217;&#x2014; &unknown; <![CDATA[&lt;kept&gt; <i>]]></t>',
    );
    expect(tree).toEqual({
      t: { '@_a': 'x &amp; "y"', '#text': '&lt; <b> \u00a0\u2019\u2014 &unknown; &lt;kept&gt; <i>' },
    });
  });

  it('decodes text with only the five XML references once, whatever their order', () => {
    expect(read('<t>&amp;lt; &lt;b&gt; &quot;q&quot; &apos;a&apos; &amp;amp; &amp;#38; &LT;</t>')).toEqual({
      t: '&lt; <b> "q" \'a\' &amp; &#38; <',
    });
    expect(read('<t>&amp;lt; &lt;b&gt; &quot;q&quot; &apos;a&apos; &amp;amp; &amp;#38;</t>')).toEqual({
      t: '&lt; <b> "q" \'a\' &amp; &#38;',
    });
  });

  it('keeps a raw element exactly as written, markup and nesting of the same name included', () => {
    const inner = '<div xmlns="http://www.w3.org/1999/xhtml"><content>x</content><p>a &amp; <b>b</p></div>';
    const tree = read(
      `<feed><entry><content type="xhtml">${inner}</content ><title>t</title></entry></feed>`,
      (path) => path.join('/') === 'feed/entry/content',
    );
    expect(tree).toEqual({
      feed: { entry: { content: { '@_type': 'xhtml', '#text': inner }, title: 't' } },
    });
  });

  it('does not count markup inside a raw element towards the depth limit', () => {
    const deep = `${'<b>'.repeat(10_000)}x${'</b>'.repeat(10_000)}`;
    const tree = read(`<feed><entry><content>${deep}</content></entry></feed>`, (path) => path.length === 3);
    expect(tree).toEqual({ feed: { entry: { content: deep } } });
  });

  it('refuses nesting deeper than the limit', () => {
    expect(refusal(() => read(`${'<a>'.repeat(9)}${'</a>'.repeat(9)}`)).message).toBe(
      'elements nested more than 8 levels deep',
    );
    expect(read(`${'<a>'.repeat(8)}${'</a>'.repeat(8)}`)).toBeDefined();
  });

  it.each([
    ['a mismatched end tag', '<rss><channel></rss>', /<\/rss> where <\/channel> was expected/],
    ['an end tag that closes nothing', '<rss></rss></channel>', /<\/channel> closes nothing/],
    ['a truncated document', '<rss><channel><title>cut', /<title> is not closed/],
    ['an unterminated comment', '<rss><!-- <channel></channel></rss>', /<rss> is not closed/],
    ['an unterminated CDATA section', '<rss><![CDATA[ </rss>', /<rss> is not closed/],
  ])('refuses %s as malformed XML', (_what, xml, reason) => {
    const error = refusal(() => read(xml));
    expect(error.message).toMatch(/^malformed XML \(/);
    expect(error.message).toMatch(reason);
  });

  it('asks about the root element as soon as it opens', () => {
    const seen: string[] = [];
    const stop = new Error('not a feed');
    expect(() =>
      parseXmlTree('<html><body>never read</body></html>', {
        maxDepth: 8,
        checkRoot: (name) => {
          seen.push(name);
          throw stop;
        },
      }),
    ).toThrow(stop);
    expect(seen).toEqual(['html']);
  });
});
