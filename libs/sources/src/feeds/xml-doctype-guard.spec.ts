import { ErrorCode, SourceError } from '@app/core';
import { assertSafeDoctype } from './xml-doctype-guard';

function refusal(xml: string): SourceError {
  try {
    assertSafeDoctype(xml);
  } catch (error) {
    if (error instanceof SourceError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const ROOT = '<rss version="2.0"><channel><title>t</title></channel></rss>';

describe('assertSafeDoctype', () => {
  it.each([
    ['no DOCTYPE', `<?xml version="1.0"?>${ROOT}`],
    ['a bare DOCTYPE', `<!DOCTYPE rss>${ROOT}`],
    [
      'markup declarations quoted in comments, CDATA and PIs',
      `<!-- <!DOCTYPE x [ ]> --><?pi <!ENTITY a "b"> ?>${ROOT}`,
    ],
    ['CDATA holding declarations', `<rss><d><![CDATA[<!DOCTYPE x SYSTEM "y"> <!ENTITY z "w">]]></d></rss>`],
    ['a ">" and "<!" inside a quoted attribute', `<rss a="x > <!ENTITY y" b='<!DOCTYPE'><c/></rss>`],
    ['a word SYSTEM outside the DOCTYPE', `<!DOCTYPE rss><rss><t>SYSTEM PUBLIC [ ]</t></rss>`],
  ])('accepts %s', (_label, xml) => {
    expect(() => assertSafeDoctype(xml)).not.toThrow();
  });

  it.each([
    ['an internal subset', `<!DOCTYPE rss [<!ENTITY a "b">]>${ROOT}`, /internal subset/],
    ['an empty internal subset', `<!DOCTYPE rss []>${ROOT}`, /internal subset/],
    ['a SYSTEM id', `<!DOCTYPE rss SYSTEM "file:///etc/passwd">${ROOT}`, /external definition \(SYSTEM/],
    [
      'a PUBLIC id',
      `<!DOCTYPE rss PUBLIC "-//x//EN" "http://x/y.dtd">${ROOT}`,
      /external definition \(PUBLIC/,
    ],
    ['a lower-case doctype with an id', `<!doctype rss system "x">${ROOT}`, /external definition/],
    [
      'a DOCTYPE behind a processing instruction',
      `<?x?><!DOCTYPE rss [<!ENTITY a "b">]>${ROOT}`,
      /internal subset/,
    ],
    [
      'a DOCTYPE behind a comment holding "-->"-like text',
      `<!-- a -- b --><!DOCTYPE r [ ]>${ROOT}`,
      /internal subset/,
    ],
    ['a subset after a quoted "]>"', `<!DOCTYPE rss "]>" [<!ENTITY a "b">]>${ROOT}`, /internal subset/],
    ['a DOCTYPE after the root element', `<rss><!DOCTYPE x [<!ENTITY a "b">]></rss>`, /after the root/],
    ['two DOCTYPEs', `<!DOCTYPE rss><!DOCTYPE rss>${ROOT}`, /more than one/],
    ['an entity declared outside a DOCTYPE', `<rss><!ENTITY a "b"></rss>`, /<!ENTITY>/],
    ['an unclosed comment', `<rss><!-- a</rss>`, /comment is never closed/],
    ['an unclosed CDATA section', `<rss><![CDATA[ a</rss>`, /CDATA section is never closed/],
    [
      'an unclosed processing instruction',
      `<?xml version="1.0"${ROOT}`,
      /processing instruction is never closed/,
    ],
    ['an unclosed attribute value', `<rss a="x></rss>`, /attribute value is never closed/],
    ['an unclosed tag', `<rss><channel`, /tag is never closed/],
    ['an unclosed DOCTYPE', `<!DOCTYPE rss <rss/>`, /DOCTYPE is never closed/],
  ])('refuses %s with a readable reason', (_label, xml, reason) => {
    const error = refusal(xml);
    expect(error.code).toBe(ErrorCode.SourceInvalidResponse);
    expect(error.message).toMatch(/^not an RSS or Atom feed: /);
    expect(error.message).toMatch(reason);
  });
});
