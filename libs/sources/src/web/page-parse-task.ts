import { TextDecoder } from 'node:util';
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { blockText, scanPage } from './page-scan';
import { asBuffer } from '../parsing/thread-bytes';

/** What a page parse needs; plain data, so that it can be sent to a worker thread. */
export interface PageParseInput {
  /** the body as received (a Buffer arrives in a thread as a plain Uint8Array) */
  bytes: Uint8Array;
  contentType: string | null;
  /** the URL that answered, after redirects: relative links and the canonical URL resolve against it */
  url: string;
  /** most release links returned */
  maxLinks: number;
}

/** A page read down to what a statement shows, plus the links a press-release list holds. */
export interface PageParseOutput {
  /** the page as text (the charset the page declared, else UTF-8): the quotation path reads it */
  html: string;
  title: string | null;
  byline: string | null;
  /** as the page wrote it; the connector makes it a timestamp */
  publishedTime: string | null;
  /** the page's own language tag, if it has one */
  lang: string | null;
  /** the main text (Readability), else the whole body's text */
  text: string;
  /** `<link rel="canonical">`, resolved, as written */
  canonical: string | null;
  /** which reader gave the text: Readability, or the page's whole text when Readability could not read it */
  reader: 'readability' | 'page-text';
  /** why Readability was not used, when it was not */
  readerNote: string | null;
  releaseLinks: string[];
}

/**
 * Readability's cost grows with nesting depth times size (measured: 2,000 nested divs took 90 s, 4,000
 * overflowed the stack) and is about 0.5 s per MB of flat article markup, so it only reads pages within
 * these bounds; deeper or larger pages keep the text of the streaming pass, which is linear. Real articles
 * nest a few dozen deep and hold a few thousand elements; 30,000 elements took about 2 s on a worker thread.
 */
export const READABLE_MAX_DEPTH = 256;
export const READABLE_MAX_ELEMENTS = 30_000;

const CHARSET_PARAM = /;\s*charset\s*=\s*"?([A-Za-z0-9._:-]+)"?/i;
const META_CHARSET = /<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i;

export function parsePageContents(input: PageParseInput): PageParseOutput {
  const bytes = asBuffer(input.bytes);
  const html = decodeHtml(bytes, input.contentType);
  const scan = scanPage(html, { baseUrl: input.url, maxLinks: input.maxLinks });
  const canonical = scan.canonical ? resolveOrNull(scan.canonical, input.url) : null;
  const base = {
    html,
    lang: scan.lang,
    canonical,
    releaseLinks: scan.releaseLinks,
  };
  const fallback = (readerNote: string): PageParseOutput => ({
    ...base,
    title: scan.metaTitle ?? scan.title,
    byline: scan.author,
    publishedTime: scan.publishedTime,
    text: scan.text,
    reader: 'page-text',
    readerNote,
  });
  if (scan.maxDepth > READABLE_MAX_DEPTH)
    return fallback(`nested ${scan.maxDepth} deep (Readability reads up to ${READABLE_MAX_DEPTH})`);
  if (scan.elements > READABLE_MAX_ELEMENTS)
    return fallback(`${scan.elements} elements (Readability reads up to ${READABLE_MAX_ELEMENTS})`);

  const { document } = parseHTML(html);
  // Readability rewrites the document it reads: it gets a copy
  const copy = document.cloneNode(true) as unknown as ConstructorParameters<typeof Readability>[0];
  dropLongMediaAttributes(copy);
  let article: ReturnType<Readability['parse']>;
  try {
    article = new Readability(copy).parse();
  } catch (error) {
    return fallback(`Readability failed: ${(error as Error).message}`);
  }
  const text = article?.content
    ? blockText(scanPage(article.content, { baseUrl: input.url, maxLinks: 0 }).text)
    : '';
  if (!article || text.length === 0) return fallback('Readability found no article');
  return {
    ...base,
    title: clean(article.title) ?? scan.metaTitle ?? scan.title,
    byline: clean(article.byline) ?? scan.author,
    publishedTime: clean(article.publishedTime) ?? scan.publishedTime,
    lang: scan.lang ?? clean(article.lang),
    text,
    reader: 'readability',
    readerNote: null,
  };
}

/** Media elements whose attributes Readability reads as image addresses (src, srcset, lazy-loading data-*). */
const MEDIA = 'img, picture, figure, video, audio, source';
/** A longer run without white space is not one address of a srcset (Readability's srcset pattern is quadratic
 * in such a run: 40 KB of it took 7 s). */
const LONGEST_ADDRESS = 512;

/**
 * Removes media attributes holding a run of over 512 characters without white space (a long data: URI, a
 * crafted srcset) from the copy Readability reads: we keep its text, never its images, so nothing is lost.
 */
function dropLongMediaAttributes(document: ConstructorParameters<typeof Readability>[0]): void {
  for (const element of document.querySelectorAll(MEDIA)) {
    for (const { name, value } of [...element.attributes])
      if (longestRunWithoutSpace(value) > LONGEST_ADDRESS) element.removeAttribute(name);
  }
}

function longestRunWithoutSpace(text: string): number {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    // space and the controls below it, as a srcset splits on ASCII white space
    run = text.charCodeAt(i) <= 0x20 ? 0 : run + 1;
    if (run > longest) longest = run;
  }
  return longest;
}

/**
 * The page's text, decoded as a browser would (WHATWG encoding sniffing, in part): a byte order mark wins,
 * then the charset the HTTP header names, then a `<meta charset>` in the first 1,024 bytes, else UTF-8. A meta
 * naming UTF-16 means UTF-8 (the bytes that spelled it were ASCII) and x-user-defined means windows-1252, as
 * the HTML standard says.
 */
export function decodeHtml(bytes: Buffer, contentType: string | null): string {
  const label =
    byteOrderMark(bytes) ?? contentType?.match(CHARSET_PARAM)?.[1] ?? metaCharset(bytes) ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: false });
  } catch {
    decoder = new TextDecoder('utf-8', { fatal: false });
  }
  // the decoder drops a byte order mark of its own encoding
  return decoder.decode(bytes);
}

function byteOrderMark(bytes: Buffer): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return null;
}

function metaCharset(bytes: Buffer): string | null {
  const label = bytes.subarray(0, 1024).toString('latin1').match(META_CHARSET)?.[1];
  if (label === undefined) return null;
  let encoding: string;
  try {
    encoding = new TextDecoder(label).encoding;
  } catch {
    return null;
  }
  if (encoding === 'utf-16le' || encoding === 'utf-16be') return 'utf-8';
  return encoding === 'x-user-defined' ? 'windows-1252' : encoding;
}

function resolveOrNull(href: string, base: string): string | null {
  try {
    return new URL(href.trim(), base).href;
  } catch {
    return null;
  }
}

function clean(value: string | null | undefined): string | null {
  const collapsed = value?.replace(/\s+/g, ' ').trim();
  return collapsed ? collapsed : null;
}
