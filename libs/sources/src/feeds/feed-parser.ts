import { htmlToPlainText, sha256Hex, toUtcTimestamp } from '@app/core';
import { type FeedEnclosure, type FeedFormat, type FeedItem, type ParsedFeed } from './feed-items';
import { attr, childList, childNodes, childText, firstChild, isNode, textOf, type XmlNode } from './xml-tree';
import { assertSafeDoctype } from './xml-doctype-guard';
import { XmlRefusal, parseXmlTree } from './xml-tree-builder';
import { decodeCharacterData, decodeXmlBytes, escapeHtml, notAFeed } from './xml-text';

const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  media: 'http://search.yahoo.com/mrss/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
} as const;
type Namespace = keyof typeof NS;

/** Deeper element nesting is refused: real feeds nest a dozen levels, and the tree readers recurse. */
export const MAX_XML_DEPTH = 256;

function assertFeedRoot(name: string): void {
  const local = localName(name);
  if (name !== 'rss' && local !== 'RDF' && local !== 'feed')
    throw notAFeed(`the root element is <${name.slice(0, 100)}>`);
}

/** The prefix of a qualified name ('atom' of 'atom:entry'), or '' for an unprefixed one. */
function prefixOf(name: string): string {
  return name.includes(':') ? name.slice(0, name.indexOf(':')) : '';
}

/** Atom content and summary are kept raw so type="xhtml" markup survives; they are decoded here instead. */
function isAtomRawContent(path: readonly string[]): boolean {
  if (path.length !== 3) return false;
  const [feed, entry, element] = path.map(localName);
  // in the root's namespace only: media:content or itunes:summary in an Atom entry are read as elements
  const prefix = prefixOf(path[0]);
  return (
    feed === 'feed' &&
    entry === 'entry' &&
    (element === 'content' || element === 'summary') &&
    path.every((name) => prefixOf(name) === prefix)
  );
}

export interface ParseFeedOptions {
  /** the HTTP Content-Type, whose charset is used when the document declares none */
  contentType?: string | null;
}

/**
 * Reads an RSS 2.0, RSS 1.0 (RDF) or Atom document from its exact bytes.
 * Throws SourceError(SourceInvalidResponse, "not an RSS or Atom feed: …") for anything else, and for documents
 * whose DOCTYPE declares entities or external identifiers.
 */
export function parseFeed(bytes: Buffer, feedUrl: string, options: ParseFeedOptions = {}): ParsedFeed {
  const xml = decodeXmlBytes(bytes, options.contentType);
  if (!/^\s*</.test(xml)) throw notAFeed(`the document does not start with markup (${describeStart(xml)})`);
  assertSafeDoctype(xml);
  let tree: unknown;
  try {
    tree = parseXmlTree(xml, {
      maxDepth: MAX_XML_DEPTH,
      checkRoot: assertFeedRoot,
      isRawContent: isAtomRawContent,
    });
  } catch (error) {
    if (error instanceof XmlRefusal) throw notAFeed(error.message.slice(0, 300));
    throw error;
  }
  if (!isNode(tree)) throw notAFeed('no root element');
  // the builder has checked the root's name already (assertFeedRoot)
  const rootName = Object.keys(tree)[0];
  if (!rootName) throw notAFeed('no root element');
  const root = tree[rootName];
  if (!isNode(root)) throw notAFeed(`the root element <${rootName}> is empty`);
  if (rootName === 'rss') return readRss(root, new Names(root), 'rss2', feedUrl);
  if (localName(rootName) === 'RDF') return readRss(root, new Names(root), 'rss1', feedUrl);
  return readAtom(root, rootName.includes(':') ? rootName.split(':')[0] : null, feedUrl);
}

function describeStart(text: string): string {
  const start = text.trimStart().slice(0, 20);
  return start === '' ? 'empty body' : `starts with ${JSON.stringify(start)}`;
}

function localName(name: string): string {
  return name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;
}

/** Element names for namespaced children: the prefix the document declared, and the conventional one. */
class Names {
  private readonly prefixes = new Map<string, string>();

  constructor(...scopes: (XmlNode | undefined)[]) {
    for (const scope of scopes) this.addScope(scope);
  }

  addScope(scope: XmlNode | undefined): void {
    for (const [key, value] of Object.entries(scope ?? {})) {
      if (key.startsWith('@_xmlns:') && typeof value === 'string') {
        this.prefixes.set(value.trim().replace(/\/?$/, '/'), key.slice('@_xmlns:'.length));
      }
    }
  }

  of(ns: Namespace, local: string): string[] {
    const declared = this.prefixes.get(NS[ns].replace(/\/?$/, '/'));
    return [
      ...new Set(
        [declared, ns].filter((prefix): prefix is string => !!prefix).map((prefix) => `${prefix}:${local}`),
      ),
    ];
  }
}

// ---- RSS 2.0 and RSS 1.0 ----

function readRss(root: XmlNode, names: Names, format: FeedFormat, feedUrl: string): ParsedFeed {
  const channel = firstChild(root, 'channel');
  names.addScope(channel);
  // RSS 2.0 items live in <channel>; RSS 1.0 items are siblings of <channel>
  const itemNodes =
    format === 'rss1' ? childNodes(root, 'item', ...names.of('rdf', 'item')) : childNodes(channel, 'item');
  const language =
    childText(channel, 'language', ...names.of('dc', 'language')) ??
    attr(channel, 'xml:lang') ??
    attr(root, 'xml:lang');
  return {
    format,
    title: childText(channel, 'title'),
    link: absoluteUrl(childText(channel, 'link'), feedUrl),
    language,
    items: itemNodes.map((item) => readRssItem(item, names, feedUrl, language)),
  };
}

function readRssItem(item: XmlNode, names: Names, feedUrl: string, channelLanguage: string | null): FeedItem {
  const guidNode = firstChild(item, 'guid');
  const guid = textOf(guidNode);
  const guidIsPermaLink = attr(guidNode, 'isPermaLink')?.toLowerCase() !== 'false';
  const about = attr(item, 'rdf:about');
  // a permalink guid is the item's URL when the item has no <link> (RSS 2.0 spec)
  const link =
    absoluteUrl(childText(item, 'link'), feedUrl) ??
    (guid && guidIsPermaLink ? absoluteUrl(guid, feedUrl, true) : null) ??
    absoluteUrl(about, feedUrl, true);
  const title = childText(item, 'title');
  const published = feedTimestamp(childText(item, 'pubDate', ...names.of('dc', 'date')));
  const body = childText(item, ...names.of('content', 'encoded')) ?? childText(item, 'description');
  return {
    id: guid ?? link ?? about ?? hashIdentity(title, published),
    link,
    title,
    html: body,
    published,
    updated: null,
    author: childText(item, ...names.of('dc', 'creator'), 'author'),
    categories: uniqueTexts([
      ...childList(item, 'category'),
      ...childList(item, ...names.of('dc', 'subject')),
    ]),
    enclosures: readRssEnclosures(item, names, feedUrl),
    language: attr(item, 'xml:lang') ?? childText(item, ...names.of('dc', 'language')) ?? channelLanguage,
  };
}

function readRssEnclosures(item: XmlNode, names: Names, feedUrl: string): FeedEnclosure[] {
  const found: FeedEnclosure[] = [];
  for (const enclosure of childNodes(item, 'enclosure')) {
    const url = absoluteUrl(attr(enclosure, 'url'), feedUrl);
    if (url) found.push({ url, type: attr(enclosure, 'type'), description: null, medium: null });
  }
  const mediaContent = names.of('media', 'content');
  const groups = childNodes(item, ...names.of('media', 'group'));
  for (const media of [
    ...childNodes(item, ...mediaContent),
    ...groups.flatMap((group) => childNodes(group, ...mediaContent)),
  ]) {
    const url = absoluteUrl(attr(media, 'url'), feedUrl);
    if (!url) continue;
    const description = childText(media, ...names.of('media', 'description'));
    found.push({ url, type: attr(media, 'type'), description, medium: attr(media, 'medium') });
  }
  return dedupeByUrl(found);
}

// ---- Atom ----

function readAtom(feed: XmlNode, prefix: string | null, feedUrl: string): ParsedFeed {
  const el = (local: string): string => (prefix ? `${prefix}:${local}` : local);
  const media = new Names(feed);
  const feedBase = absoluteUrl(attr(feed, 'xml:base'), feedUrl) ?? feedUrl;
  const language = attr(feed, 'xml:lang');
  const feedAuthor = atomAuthors(feed, el);
  return {
    format: 'atom',
    title: atomText(firstChild(feed, el('title'))),
    link: atomLink(feed, el, feedBase),
    language,
    items: childNodes(feed, el('entry')).map((entry) => {
      const base = absoluteUrl(attr(entry, 'xml:base'), feedBase) ?? feedBase;
      const link = atomLink(entry, el, base);
      const title = atomText(firstChild(entry, el('title')));
      const published = feedTimestamp(childText(entry, el('published'), el('issued')));
      const updated = feedTimestamp(childText(entry, el('updated'), el('modified')));
      const id = childText(entry, el('id'));
      return {
        id: id ?? link ?? hashIdentity(title, published ?? updated),
        link,
        title,
        html: atomHtml(firstChild(entry, el('content'))) ?? atomHtml(firstChild(entry, el('summary'))),
        published,
        updated,
        author: atomAuthors(entry, el) ?? feedAuthor,
        categories: uniqueTexts(
          childNodes(entry, el('category')).map(
            (category) => attr(category, 'term') ?? attr(category, 'label'),
          ),
        ),
        enclosures: atomEnclosures(entry, el, base, media),
        language: attr(entry, 'xml:lang') ?? language,
      };
    }),
  };
}

type ElementName = (local: string) => string;

function atomLink(node: XmlNode, el: ElementName, base: string): string | null {
  const links = childNodes(node, el('link'));
  const alternates = links.filter((link) => (attr(link, 'rel') ?? 'alternate') === 'alternate');
  const preferred =
    alternates.find((link) => /html/i.test(attr(link, 'type') ?? 'text/html')) ?? alternates[0];
  return absoluteUrl(attr(preferred, 'href'), base);
}

function atomAuthors(node: XmlNode, el: ElementName): string | null {
  const names = childNodes(node, el('author'))
    .map((author) => childText(author, el('name')) ?? textOf(author))
    .filter((name): name is string => name !== null);
  return names.length > 0 ? names.join(', ') : null;
}

function atomEnclosures(entry: XmlNode, el: ElementName, base: string, names: Names): FeedEnclosure[] {
  const found: FeedEnclosure[] = [];
  for (const link of childNodes(entry, el('link'))) {
    if (attr(link, 'rel') !== 'enclosure') continue;
    const url = absoluteUrl(attr(link, 'href'), base);
    if (url) found.push({ url, type: attr(link, 'type'), description: attr(link, 'title'), medium: null });
  }
  for (const media of childNodes(entry, ...names.of('media', 'content'))) {
    const url = absoluteUrl(attr(media, 'url'), base);
    if (url)
      found.push({
        url,
        type: attr(media, 'type'),
        description: childText(media, ...names.of('media', 'description')),
        medium: attr(media, 'medium'),
      });
  }
  return dedupeByUrl(found);
}

/** Atom text constructs (title): plain text whatever the type. */
function atomText(node: XmlNode | undefined): string | null {
  const text = textOf(node);
  if (text === null) return null;
  const type = attr(node, 'type') ?? 'text';
  return type === 'html' ? nonEmpty(htmlToPlainText(text)) : text;
}

/** Atom content/summary (kept raw by the parser) as an HTML string. */
function atomHtml(node: XmlNode | undefined): string | null {
  if (!node || attr(node, 'src')) return null;
  const raw = typeof node['#text'] === 'string' ? node['#text'] : '';
  const type = (attr(node, 'type') ?? 'text').toLowerCase();
  if (type === 'xhtml') {
    // the wrapping <div xmlns="http://www.w3.org/1999/xhtml"> is not part of the content (RFC 4287 §4.1.3.3)
    const inner = /^\s*<div\b[^>]*>([\s\S]*)<\/div>\s*$/.exec(raw)?.[1] ?? raw;
    return nonEmpty(inner);
  }
  const decoded = decodeCharacterData(raw);
  if (type === 'html' || type.endsWith('html')) return nonEmpty(decoded);
  if (type === 'text' || type.startsWith('text/')) {
    const text = nonEmpty(decoded);
    return text === null ? null : escapeHtml(text).replace(/\r?\n/g, '<br>\n');
  }
  // base64 or other media types: not a body we can show
  return null;
}

// ---- shared ----

function nonEmpty(text: string): string | null {
  const trimmed = text.trim();
  return trimmed === '' ? null : trimmed;
}

/** Absolute http(s) URL, or null. `strict`: only accept values that are already absolute (guid, rdf:about). */
function absoluteUrl(value: string | null | undefined, base: string, strict = false): string | null {
  if (!value) return null;
  try {
    const url = strict ? new URL(value) : new URL(value, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * An RFC 3339 UTC timestamp, or null. Years outside 0001–9999 (year 0, +275760) are not dates a source
 * published anything on; they have no RFC 3339 form and the database cannot store them.
 */
const RFC822_ZONE = /(?<=[\d\s])[+-]\d{4}(\s*\([^)]{0,64}\))?\s*$/;

function feedTimestamp(text: string | null): string | null {
  const timestamp = toUtcTimestamp(text);
  if (timestamp === null || !/^\d{4}-/.test(timestamp) || timestamp.startsWith('0000')) return null;
  // the date parser reads a written "0000" as 2000 (two-digit year rule): the year written must be the year read;
  // an RFC 822 zone ("+0100") is not a year, and RFC 822 allows two-digit years ("15 Nov 22")
  const written = /(?<!\d)\d{4}(?!\d)/.exec((text ?? '').replace(RFC822_ZONE, ''))?.[0];
  const read = Number(timestamp.slice(0, 4));
  return written === undefined || Math.abs(Number(written) - read) <= 1 ? timestamp : null;
}

function hashIdentity(title: string | null, date: string | null): string {
  return `sha256:${sha256Hex(`${title ?? ''}\n${date ?? ''}`)}`;
}

function uniqueTexts(values: unknown[]): string[] {
  const texts = values.map((value) => textOf(value)).filter((text): text is string => text !== null);
  return [...new Set(texts)];
}

function dedupeByUrl(enclosures: FeedEnclosure[]): FeedEnclosure[] {
  const seen = new Set<string>();
  return enclosures.filter((enclosure) => !seen.has(enclosure.url) && !!seen.add(enclosure.url));
}
