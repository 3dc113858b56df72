import { validateHeaderValue } from 'node:http';
import { linkHeader, linkFormatDocument, renderLink } from './link-format';
import { mementoHeaders, timemapLinks } from './memento-links';

const PUBLIC = 'https://archive.example.org';
const ORIGINAL = 'https://mastodon.example/@mfa/1001';

describe('link-format rendering', () => {
  it('writes the URI in angle brackets, rel first, then quoted attributes in order', () => {
    expect(
      renderLink({
        uri: 'https://a.example/x',
        rel: 'first memento',
        attributes: [['datetime', 'Sun, 01 Mar 2026 10:00:00 GMT']],
      }),
    ).toBe('<https://a.example/x>; rel="first memento"; datetime="Sun, 01 Mar 2026 10:00:00 GMT"');
  });

  it('keeps a URI from closing its brackets and a value from closing its quotes', () => {
    expect(renderLink({ uri: 'https://a.example/<b> c', rel: 'x"y' })).toBe(
      '<https://a.example/%3Cb%3E%20c>; rel="x\\"y"',
    );
  });

  it('percent-encodes what a header cannot carry as written: letters beyond ASCII as UTF-8, controls', () => {
    const link = renderLink({ uri: 'https://діло.example/@ю/1?q=é\t😀', rel: 'original' });
    expect(link).toBe(
      '<https://%D0%B4%D1%96%D0%BB%D0%BE.example/@%D1%8E/1?q=%C3%A9%09%F0%9F%98%80>; rel="original"',
    );
    // Node refuses a header value with a character beyond Latin-1, and one with a control: this one it sends
    expect(() => validateHeaderValue('Link', link)).not.toThrow();
    // a lone surrogate (a source's broken text) becomes U+FFFD's bytes rather than an error
    expect(renderLink({ uri: 'https://a.example/\ud800', rel: 'x' })).toBe(
      '<https://a.example/%EF%BF%BD>; rel="x"',
    );
  });

  it('joins links with commas: on one line as a header, one per line as a document', () => {
    const links = [
      { uri: 'https://a.example/1', rel: 'original' },
      { uri: 'https://a.example/2', rel: 'timegate' },
    ];
    expect(linkHeader(links)).toBe(
      '<https://a.example/1>; rel="original", <https://a.example/2>; rel="timegate"',
    );
    expect(linkFormatDocument(links)).toBe(
      '<https://a.example/1>; rel="original",\n<https://a.example/2>; rel="timegate"\n',
    );
  });
});

describe('TimeMap links', () => {
  const mementos = [
    { statementId: 's1', version: 1, capturedAt: new Date('2026-03-01T10:00:00Z') },
    { statementId: 's1', version: 2, capturedAt: new Date('2026-03-02T10:00:00Z') },
    { statementId: 's1', version: 3, capturedAt: new Date('2026-03-03T10:00:00Z') },
  ];

  it('names the original, itself with its span, the TimeGate, then each memento with first and last marked', () => {
    expect(linkFormatDocument(timemapLinks(PUBLIC, ORIGINAL, mementos))).toBe(
      [
        `<${ORIGINAL}>; rel="original",`,
        `<${PUBLIC}/timemap/link/${ORIGINAL}>; rel="self"; type="application/link-format"; from="Sun, 01 Mar 2026 10:00:00 GMT"; until="Tue, 03 Mar 2026 10:00:00 GMT",`,
        `<${PUBLIC}/timegate/${ORIGINAL}>; rel="timegate",`,
        `<${PUBLIC}/statements/s1?version=1>; rel="first memento"; datetime="Sun, 01 Mar 2026 10:00:00 GMT",`,
        `<${PUBLIC}/statements/s1?version=2>; rel="memento"; datetime="Mon, 02 Mar 2026 10:00:00 GMT",`,
        `<${PUBLIC}/statements/s1?version=3>; rel="last memento"; datetime="Tue, 03 Mar 2026 10:00:00 GMT"`,
        '',
      ].join('\n'),
    );
  });

  it('marks a single memento both first and last', () => {
    const [, , , only] = timemapLinks(PUBLIC, ORIGINAL, mementos.slice(0, 1));
    expect(only.rel).toBe('first last memento');
  });
});

describe('mementoHeaders', () => {
  const statement = {
    id: 's1',
    url: ORIGINAL,
    versions: [
      { number: 1, capturedAt: '2026-03-01T10:00:00.000Z' },
      { number: 2, capturedAt: '2026-03-02T10:00:00.000Z' },
    ],
  };
  const links =
    `<${ORIGINAL}>; rel="original", <${PUBLIC}/timegate/${ORIGINAL}>; rel="timegate", ` +
    `<${PUBLIC}/timemap/link/${ORIGINAL}>; rel="timemap"; type="application/link-format"`;

  it('dates the version asked for, and links original, TimeGate and TimeMap', () => {
    expect(mementoHeaders(statement, PUBLIC, 1)).toEqual({
      'Memento-Datetime': 'Sun, 01 Mar 2026 10:00:00 GMT',
      Link: links,
    });
  });

  it('gives no Memento-Datetime when following the latest version, naming it as the last memento instead', () => {
    expect(mementoHeaders(statement, PUBLIC)).toEqual({
      Link: `${links}, <${PUBLIC}/statements/s1?version=2>; rel="last memento"; datetime="Mon, 02 Mar 2026 10:00:00 GMT"`,
    });
  });

  it('gives nothing for a version the statement does not have', () => {
    expect(mementoHeaders(statement, PUBLIC, 3)).toBeNull();
  });
});
