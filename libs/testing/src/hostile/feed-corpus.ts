import {
  ENTITY_BODIES,
  GOOD_ITEM,
  GOOD_ITEM_ID,
  NESTING_FAMILIES,
  QUADRATIC_FAMILIES,
  manyItems,
  rssDocument,
} from './hostile-feed-bodies';

export type HostileFeedFamily =
  | 'size-limit'
  | 'quadratic'
  | 'entities'
  | 'nesting'
  | 'characters'
  | 'content-type'
  | 'dates'
  | 'ids'
  | 'volume';

/**
 * One thing a hostile source can send instead of a feed. What a correct reader does with it:
 * - `parses`: reads it and keeps `goodItemIds`;
 * - `refused`: refuses the whole body with a readable reason (never another error, never a hang);
 * - `parses-or-refused`: either, as long as it is one of the two.
 */
export interface HostileFeedCase {
  name: string;
  family: HostileFeedFamily;
  body: Buffer;
  /** the Content-Type to serve; '' sends an empty header, null sends none */
  contentType: string | null;
  outcome: 'parses' | 'refused' | 'parses-or-refused';
  goodItemIds: string[];
  /** the body is larger than the size limit: a client with that limit refuses it before parsing */
  exceedsSizeLimit: boolean;
}

export interface HostileFeedCorpusOptions {
  /** the client's body size limit (VERBATIM_HTTP_MAX_BYTES), for the at-limit and past-limit cases */
  maxBytes: number;
  /** the size of the quadratic-family bodies (default 256 KiB: seconds for a quadratic reader) */
  quadraticBytes?: number;
  /** elements in the deep-nesting cases (default 100,000) */
  nestingDepth?: number;
  /** items in the large feed (default 10,000) */
  itemCount?: number;
}

const RSS = 'application/rss+xml; charset=utf-8';

/** Every case, generated as bytes; serve them from a fake server or feed them to the parser directly. */
export function hostileFeedCorpus(options: HostileFeedCorpusOptions): HostileFeedCase[] {
  const quadraticBytes = options.quadraticBytes ?? 256 * 1024;
  const depth = options.nestingDepth ?? 100_000;
  const cases: HostileFeedCase[] = [];
  const add = (
    name: string,
    family: HostileFeedFamily,
    body: Buffer | string,
    outcome: HostileFeedCase['outcome'],
    extra: Partial<HostileFeedCase> = {},
  ) => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const goodItemIds = outcome === 'refused' ? [] : [GOOD_ITEM_ID];
    cases.push({
      name,
      family,
      body: bytes,
      contentType: RSS,
      outcome,
      goodItemIds,
      exceedsSizeLimit: false,
      ...extra,
    });
  };
  const withItem = (xml: string) => rssDocument(GOOD_ITEM + xml);

  // size limit: a valid feed padded to exactly the limit, and one byte more
  add('at-size-limit', 'size-limit', padded(options.maxBytes), 'parses');
  add('past-size-limit', 'size-limit', padded(options.maxBytes + 1), 'parses', { exceedsSizeLimit: true });

  for (const [name, body] of Object.entries(QUADRATIC_FAMILIES)) {
    add(name, 'quadratic', body(quadraticBytes), 'refused');
  }
  for (const [name, body] of Object.entries(ENTITY_BODIES)) add(name, 'entities', body(), 'refused');
  // the five XML entities by the hundred thousand are not an attack and must not trip the expansion limits
  add(
    'many-predefined-entities',
    'entities',
    withItem(`<item><guid>amp</guid><title>${'&amp;&lt;&#8217;'.repeat(100_000)}</title></item>`),
    'parses',
  );

  add('deep-xml-title', 'nesting', NESTING_FAMILIES['deep-xml-title'](depth * 7), 'parses-or-refused', {
    goodItemIds: [],
  });
  add('deep-html-description', 'nesting', NESTING_FAMILIES['deep-html-description'](depth * 26), 'parses');
  add('deep-html-atom-title', 'nesting', NESTING_FAMILIES['deep-html-atom-title'](depth * 28), 'parses', {
    goodItemIds: ['deep'],
  });
  add(
    'deep-xhtml-atom-content',
    'nesting',
    `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>deep</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">${'<div>'.repeat(depth)}inner${'</div>'.repeat(depth)}</div></content></entry></feed>`,
    'parses',
    { goodItemIds: ['deep'] },
  );

  // U+D800 encoded in UTF-8 (invalid), and a raw NUL byte
  const [beforeSurrogate, afterSurrogate] = withItem(
    '<item><guid>surrogate</guid><title>before \u0001 after</title></item>',
  ).split('\u0001');
  const loneSurrogateUtf8 = Buffer.concat([
    Buffer.from(beforeSurrogate),
    Buffer.from([0xed, 0xa0, 0x80]),
    Buffer.from(afterSurrogate),
  ]);
  add('lone-surrogate-utf8', 'characters', loneSurrogateUtf8, 'parses');
  add(
    'lone-surrogate-reference',
    'characters',
    withItem(
      '<item><guid>surrogate</guid><title>a &#xD800; b &#xDFFF;</title><description>&amp;#xD800; &lt;b&gt;&#55296;&lt;/b&gt;</description></item>',
    ),
    'parses',
  );
  add(
    'nul-utf8',
    'characters',
    withItem('<item><guid>nul</guid><title>a\u0000b</title><description>c\u0000d</description></item>'),
    'parses-or-refused',
  );
  add(
    'nul-reference',
    'characters',
    withItem('<item><guid>nul</guid><title>a &#0; b &#x0;</title><description>&amp;#0;</description></item>'),
    'parses',
  );
  // a root element whose name holds a NUL and other controls: the refusal quoting it must still be storable
  add(
    'control-characters-in-root-name',
    'characters',
    '<r\u0000\u0007\u001b[31mx>text</r\u0000\u0007\u001b[31mx>',
    'refused',
  );
  add('utf16-lone-surrogate', 'characters', utf16WithLoneSurrogate(), 'parses-or-refused', {
    goodItemIds: [],
  });

  add('empty-content-type', 'content-type', withItem(''), 'parses', { contentType: '' });
  add('no-content-type', 'content-type', withItem(''), 'parses', { contentType: null });
  add('content-type-says-image', 'content-type', withItem(''), 'parses', { contentType: 'image/png' });
  add(
    'unknown-charset',
    'content-type',
    `<rss version="2.0"><channel><title>t</title>${GOOD_ITEM}</channel></rss>`,
    'refused',
    {
      contentType: 'application/rss+xml; charset=x-no-such-charset',
    },
  );
  add(
    'charset-lies-utf16',
    'content-type',
    `<rss version="2.0"><channel><title>t</title>${GOOD_ITEM}</channel></rss>`,
    'parses-or-refused',
    {
      contentType: 'application/rss+xml; charset=utf-16',
      goodItemIds: [],
    },
  );

  const dated = (date: string, id: string) =>
    `<item><guid>${id}</guid><title>dated</title><pubDate>${date}</pubDate><dc:date>${date}</dc:date></item>`;
  add(
    'year-zero',
    'dates',
    withItem(dated('Sat, 01 Jan 0000 00:00:00 GMT', 'y0') + dated('0000-01-01T00:00:00Z', 'y0b')),
    'parses',
  );
  add(
    'year-275760',
    'dates',
    withItem(dated('+275760-09-13T00:00:00.000Z', 'ymax') + dated('+275760-09-14T00:00:00Z', 'yover')),
    'parses',
  );
  add(
    'garbage-dates',
    'dates',
    withItem(
      dated('yesterday at noon', 'g1') +
        dated('Mon, 99 Foo 2026 99:99:99 XYZ', 'g2') +
        dated('9'.repeat(400), 'g3'),
    ),
    'parses',
  );
  add(
    'atom-absurd-dates',
    'dates',
    `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>a</id><published>0000-01-01T00:00:00Z</published><updated>+275760-09-13T00:00:00Z</updated></entry><entry><id>b</id><published>never</published></entry></feed>`,
    'parses',
    { goodItemIds: ['a', 'b'] },
  );

  add(
    'megabyte-id',
    'ids',
    withItem(
      `<item><guid isPermaLink="false">${'x'.repeat(1024 * 1024)}</guid><title>long id</title></item>`,
    ),
    'parses',
  );
  add(
    'empty-and-blank-ids',
    'ids',
    withItem(
      '<item><guid></guid><title>a</title></item><item><guid>   </guid><title>b</title></item><item><guid/></item>',
    ),
    'parses',
  );
  add(
    'duplicate-ids',
    'ids',
    withItem('<item><guid>same</guid><title>a</title></item><item><guid>same</guid><title>b</title></item>'),
    'parses',
  );
  add(
    'control-character-ids',
    'ids',
    withItem('<item><guid>a&#x1;b&#x1F;c\u0007d</guid><title>c</title></item>'),
    'parses-or-refused',
  );
  add(
    'not-a-url-permalink',
    'ids',
    withItem('<item><guid isPermaLink="true">javascript:alert(1)</guid><title>x</title></item>'),
    'parses',
  );

  add('ten-thousand-items', 'volume', manyItems(options.itemCount ?? 10_000), 'parses', {
    goodItemIds: ['https://example.org/s/0', `https://example.org/s/${(options.itemCount ?? 10_000) - 1}`],
  });
  return cases;
}

/** A valid feed of exactly `bytes` bytes, padded with a comment. */
function padded(bytes: number): Buffer {
  const document = rssDocument(GOOD_ITEM);
  const overhead = Buffer.byteLength(document) + '<!---->'.length;
  if (bytes < overhead) throw new Error(`a padded feed needs at least ${overhead} bytes`);
  return Buffer.from(`${document}<!--${' '.repeat(bytes - overhead)}-->`);
}

/** UTF-16LE with a BOM, holding an unpaired high surrogate in the title. */
function utf16WithLoneSurrogate(): Buffer {
  const text = `<?xml version="1.0" encoding="UTF-16"?><rss version="2.0"><channel><title>t</title><item><guid>u16</guid><title>a\uD800b</title></item></channel></rss>`;
  const units = Buffer.alloc(2 + text.length * 2);
  units.writeUInt16LE(0xfeff, 0);
  for (let i = 0; i < text.length; i++) units.writeUInt16LE(text.charCodeAt(i), 2 + i * 2);
  return units;
}
