import { encodeXml, type FeedEncoding } from './legacy-encoding';

/** A feed document as a server sends it: the exact bytes and the Content-Type header. */
export interface BuiltFeed {
  body: Buffer;
  contentType: string;
}

export interface FeedMediaSpec {
  url: string;
  type: string;
  /** media:content `medium` (image | video | audio) */
  medium?: string;
  description?: string;
  fileSize?: number;
}

export interface RssItemSpec {
  guid?: string;
  /** default true, as Mastodon sends it; false for opaque guids (UNIAN) */
  guidIsPermaLink?: boolean;
  link?: string;
  /** omitted by Mastodon */
  title?: string;
  /** HTML, written escaped the way Mastodon writes it */
  description?: string;
  /** HTML, written as content:encoded in a CDATA section */
  contentEncoded?: string;
  pubDate?: Date | string;
  author?: string;
  categories?: string[];
  /** one media:content per attachment, Mastodon style */
  media?: FeedMediaSpec[];
  enclosure?: { url: string; type: string; length?: number };
}

export interface RssFeedSpec {
  title: string;
  link: string;
  description?: string;
  language?: string;
  lastBuildDate?: Date | string;
  generator?: string;
  encoding?: FeedEncoding;
  contentType?: string;
  items: RssItemSpec[];
}

/** An RSS 2.0 document shaped like Mastodon's `/@user.rss` (app/views/accounts/show.rss.ruby, app/lib/rss/). */
export function rssFeed(spec: RssFeedSpec): BuiltFeed {
  const encoding = spec.encoding ?? 'utf-8';
  const lines = [
    `<?xml version="1.0" encoding="${encoding.toUpperCase()}"?>`,
    '<rss version="2.0" xmlns:webfeeds="http://webfeeds.org/rss/1.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    '  <channel>',
    `    <title>${esc(spec.title)}</title>`,
    `    <description>${esc(spec.description ?? `Public posts from ${spec.title}`)}</description>`,
    `    <link>${esc(spec.link)}</link>`,
    ...optional('    <language>', spec.language, '</language>'),
    ...optional('    <lastBuildDate>', spec.lastBuildDate && rfc822(spec.lastBuildDate), '</lastBuildDate>'),
    ...optional('    <generator>', spec.generator, '</generator>'),
  ];
  for (const item of spec.items) {
    lines.push('    <item>');
    if (item.guid !== undefined) {
      lines.push(
        `      <guid isPermaLink="${item.guidIsPermaLink === false ? 'false' : 'true'}">${esc(item.guid)}</guid>`,
      );
    }
    lines.push(...optional('      <title>', item.title && esc(item.title), '</title>'));
    lines.push(...optional('      <link>', item.link && esc(item.link), '</link>'));
    lines.push(...optional('      <pubDate>', item.pubDate && rfc822(item.pubDate), '</pubDate>'));
    lines.push(...optional('      <dc:creator>', item.author && esc(item.author), '</dc:creator>'));
    lines.push(
      ...optional('      <description>', item.description && esc(item.description), '</description>'),
    );
    lines.push(...optional('      <content:encoded><![CDATA[', item.contentEncoded, ']]></content:encoded>'));
    if (item.enclosure) {
      const { url, type, length } = item.enclosure;
      lines.push(`      <enclosure url="${esc(url)}" type="${esc(type)}" length="${length ?? 0}"/>`);
    }
    for (const media of item.media ?? []) {
      lines.push(
        `      <media:content url="${esc(media.url)}" type="${esc(media.type)}" fileSize="${media.fileSize ?? 0}" medium="${esc(media.medium ?? media.type.split('/')[0])}">`,
        '        <media:rating scheme="urn:simple">nonadult</media:rating>',
        ...optional(
          '        <media:description type="plain">',
          media.description && esc(media.description),
          '</media:description>',
        ),
        '      </media:content>',
      );
    }
    for (const category of item.categories ?? []) lines.push(`      <category>${esc(category)}</category>`);
    lines.push('    </item>');
  }
  lines.push('  </channel>', '</rss>', '');
  return {
    body: encodeXml(lines.join('\n'), encoding),
    contentType: spec.contentType ?? `application/rss+xml; charset=${encoding}`,
  };
}

export interface AtomEntrySpec {
  id: string;
  title: string;
  /** alternate link; relative links are allowed (resolved against the feed URL) */
  link?: string;
  published?: Date | string;
  updated: Date | string;
  author?: string;
  summary?: string;
  content?: { type: 'html' | 'xhtml' | 'text'; value: string };
  categories?: string[];
  enclosures?: { url: string; type: string; length?: number; title?: string }[];
  language?: string;
}

export interface AtomFeedSpec {
  title: string;
  /** the site (rel="alternate") */
  link: string;
  /** the feed's own URL (rel="self") */
  selfUrl?: string;
  id?: string;
  updated?: Date | string;
  language?: string;
  author?: string;
  contentType?: string;
  entries: AtomEntrySpec[];
}

/** An Atom 1.0 document shaped like a ministry's news feed (RFC 4287): html content escaped, xhtml inline. */
export function atomFeed(spec: AtomFeedSpec): BuiltFeed {
  const latest = spec.updated ?? spec.entries[0]?.updated ?? new Date(0);
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom"${spec.language ? ` xml:lang="${esc(spec.language)}"` : ''}>`,
    `  <title>${esc(spec.title)}</title>`,
    `  <link rel="alternate" type="text/html" href="${esc(spec.link)}"/>`,
    ...(spec.selfUrl ? [`  <link rel="self" type="application/atom+xml" href="${esc(spec.selfUrl)}"/>`] : []),
    `  <id>${esc(spec.id ?? spec.selfUrl ?? spec.link)}</id>`,
    `  <updated>${iso(latest)}</updated>`,
    ...(spec.author ? [`  <author><name>${esc(spec.author)}</name></author>`] : []),
  ];
  for (const entry of spec.entries) {
    lines.push(`  <entry${entry.language ? ` xml:lang="${esc(entry.language)}"` : ''}>`);
    lines.push(`    <title type="text">${esc(entry.title)}</title>`);
    if (entry.link) lines.push(`    <link rel="alternate" type="text/html" href="${esc(entry.link)}"/>`);
    lines.push(`    <id>${esc(entry.id)}</id>`);
    if (entry.published) lines.push(`    <published>${iso(entry.published)}</published>`);
    lines.push(`    <updated>${iso(entry.updated)}</updated>`);
    if (entry.author) lines.push(`    <author><name>${esc(entry.author)}</name></author>`);
    for (const category of entry.categories ?? []) lines.push(`    <category term="${esc(category)}"/>`);
    for (const enclosure of entry.enclosures ?? []) {
      const title = enclosure.title ? ` title="${esc(enclosure.title)}"` : '';
      lines.push(
        `    <link rel="enclosure" type="${esc(enclosure.type)}" length="${enclosure.length ?? 0}" href="${esc(enclosure.url)}"${title}/>`,
      );
    }
    if (entry.summary !== undefined) lines.push(`    <summary type="html">${esc(entry.summary)}</summary>`);
    if (entry.content) {
      const { type, value } = entry.content;
      const body = type === 'xhtml' ? `<div xmlns="http://www.w3.org/1999/xhtml">${value}</div>` : esc(value);
      lines.push(`    <content type="${type}">${body}</content>`);
    }
    lines.push('  </entry>');
  }
  lines.push('</feed>', '');
  return {
    body: Buffer.from(lines.join('\n'), 'utf8'),
    contentType: spec.contentType ?? 'application/atom+xml; charset=utf-8',
  };
}

export interface RdfItemSpec {
  /** rdf:about, the item's URI (defaults to its link) */
  about?: string;
  title: string;
  link: string;
  description?: string;
  contentEncoded?: string;
  date?: Date | string;
  creator?: string;
  subjects?: string[];
}

export interface RdfFeedSpec {
  title: string;
  link: string;
  /** rdf:about of the channel, conventionally the feed's URL */
  about?: string;
  description?: string;
  language?: string;
  contentType?: string;
  items: RdfItemSpec[];
}

/** An RSS 1.0 (RDF) document: items beside the channel, Dublin Core dates, as older CMSs still publish. */
export function rdfFeed(spec: RdfFeedSpec): BuiltFeed {
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
    `  <channel rdf:about="${esc(spec.about ?? spec.link)}">`,
    `    <title>${esc(spec.title)}</title>`,
    `    <link>${esc(spec.link)}</link>`,
    `    <description>${esc(spec.description ?? spec.title)}</description>`,
    ...optional('    <dc:language>', spec.language, '</dc:language>'),
    '    <items>',
    '      <rdf:Seq>',
    ...spec.items.map((item) => `        <rdf:li rdf:resource="${esc(item.about ?? item.link)}"/>`),
    '      </rdf:Seq>',
    '    </items>',
    '  </channel>',
  ];
  for (const item of spec.items) {
    lines.push(`  <item rdf:about="${esc(item.about ?? item.link)}">`);
    lines.push(`    <title>${esc(item.title)}</title>`, `    <link>${esc(item.link)}</link>`);
    lines.push(...optional('    <description>', item.description && esc(item.description), '</description>'));
    lines.push(...optional('    <content:encoded><![CDATA[', item.contentEncoded, ']]></content:encoded>'));
    lines.push(...optional('    <dc:date>', item.date && iso(item.date), '</dc:date>'));
    lines.push(...optional('    <dc:creator>', item.creator && esc(item.creator), '</dc:creator>'));
    for (const subject of item.subjects ?? []) lines.push(`    <dc:subject>${esc(subject)}</dc:subject>`);
    lines.push('  </item>');
  }
  lines.push('</rdf:RDF>', '');
  return {
    body: Buffer.from(lines.join('\n'), 'utf8'),
    contentType: spec.contentType ?? 'application/rdf+xml; charset=utf-8',
  };
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function optional(open: string, value: string | undefined | null | false, close: string): string[] {
  return value ? [`${open}${value}${close}`] : [];
}

/** RFC 822 date as Mastodon writes it: "Tue, 15 Nov 2022 16:18:15 +0000". Strings pass through as given. */
function rfc822(date: Date | string): string {
  return typeof date === 'string' ? date : date.toUTCString().replace('GMT', '+0000');
}

function iso(date: Date | string): string {
  return typeof date === 'string' ? date : date.toISOString().replace('.000Z', 'Z');
}
