import { bodyKind } from './body-kind';

describe('bodyKind', () => {
  it('calls a body whose first element is rss, feed or rdf:RDF a feed, whatever the content type says', () => {
    const prolog = '\uFEFF<?xml version="1.0"?>\n<!-- generated -->\n<?xml-stylesheet href="s.xsl"?>\n';
    expect(bodyKind(Buffer.from(`${prolog}<rss version="2.0"><channel/></rss>`), 'text/html')).toBe('feed');
    expect(bodyKind(Buffer.from('<feed xmlns="http://www.w3.org/2005/Atom"/>'), null)).toBe('feed');
    expect(bodyKind(Buffer.from('<rdf:RDF xmlns:rdf="x"/>'), 'application/xml')).toBe('feed');
  });

  it('calls HTML a page: by content type, doctype or root element', () => {
    expect(bodyKind(Buffer.from('<p>hello</p>'), 'text/html; charset=utf-8')).toBe('page');
    expect(bodyKind(Buffer.from('  <!DOCTYPE html><html></html>'), null)).toBe('page');
    expect(bodyKind(Buffer.from('<!-- x --><html lang="uk"></html>'), 'application/octet-stream')).toBe(
      'page',
    );
    expect(bodyKind(Buffer.from('<html/>'), 'application/xhtml+xml')).toBe('page');
  });

  it('leaves anything else to the feed reader', () => {
    expect(bodyKind(Buffer.from('{"a":1}'), 'application/json')).toBe('other');
    expect(bodyKind(Buffer.from('<?xml version="1.0"?><urlset/>'), 'application/xml')).toBe('other');
    expect(bodyKind(Buffer.alloc(0), null)).toBe('other');
  });
});
