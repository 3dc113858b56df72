import { Parser } from 'htmlparser2';
import { parseBoundedJson } from '@app/core';
import { MAX_JSON_BODY_DEPTH } from '../json-body';
import { normalizePageUrl, resolveHttpUrl, sameSite } from './web-urls';

/** What one streaming pass over a page finds: no DOM is built, so it costs time linear in the page's size. */
export interface PageScan {
  /** deepest element nesting, and elements seen: whether a DOM-based reader can afford the page */
  maxDepth: number;
  elements: number;
  /** `<html lang>` */
  lang: string | null;
  /** `<title>`, whitespace collapsed */
  title: string | null;
  /** og:title / twitter:title */
  metaTitle: string | null;
  /** `<meta name="author">` */
  author: string | null;
  /** `<link rel="canonical">` as written (resolved later) */
  canonical: string | null;
  /** article:published_time, JSON-LD datePublished, the first `<time datetime>`: in that order of trust */
  publishedTime: string | null;
  /** the body's text with blocks on their own lines (script, style and the like left out) */
  text: string;
  /** the links of the repeated group that holds the most same-site items (see releaseLinks) */
  releaseLinks: string[];
}

export interface ScanOptions {
  /** the URL the page was read from, after redirects: relative links resolve against it */
  baseUrl: string;
  /** most release links returned (a hostile page may hold 100k) */
  maxLinks: number;
}

/** Elements whose text is never page text. */
const SILENT = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'head',
  'iframe',
  'object',
]);
/** Elements that start a line of their own in plain text. */
const BLOCKS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'dd',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'td',
  'th',
  'tr',
  'ul',
]);
/** Elements (and ARIA roles) that hold a site's navigation, never its list of releases. */
const CHROME_TAGS = new Set(['nav', 'header', 'footer', 'aside', 'menu']);
const CHROME_ROLES = new Set(['navigation', 'banner', 'contentinfo', 'complementary', 'menu', 'menubar']);
/** Class or id words that mark navigation on sites that use plain divs for it. */
const CHROME_WORDS =
  /(^|[\s_-])(nav|navbar|menu|breadcrumbs?|pagination|pager|footer|sidebar|header)($|[\s_-])/i;
/** Links to files, not pages: a release list may link its PDFs beside the pages. */
const FILE_LINK = /\.(pdf|docx?|xlsx?|pptx?|odt|ods|zip|rar|7z|jpe?g|png|gif|webp|svg|mp3|mp4|avi|mov)$/i;
/** Most JSON-LD text read, in total: it is only looked at for a date. */
const MAX_JSON_LD_CHARS = 1_000_000;

interface Frame {
  name: string;
  /** a hash of the tag-and-class path from the root: links in the items of one list share it */
  path: number;
  /** inside navigation, header, footer and the like */
  chrome: boolean;
  /** inside <main> or role=main */
  main: boolean;
}

interface LinkGroup {
  urls: Set<string>;
  ordered: string[];
  first: number;
  inMain: boolean;
}

/**
 * Reads a page in one streaming pass (htmlparser2's tokenizer, which repairs broken HTML the way browsers
 * mostly do) for what does not need a DOM: metadata, the text as a fallback, and the candidate release
 * links. Work per element is constant (the path is a running hash, not a string), so a page nested 100,000
 * deep or holding 100,000 links costs time linear in its size.
 */
export function scanPage(html: string, options: ScanOptions): PageScan {
  const base = new URL(options.baseUrl);
  const self = normalizePageUrl(base);
  const stack: Frame[] = [{ name: '#root', path: 2166136261, chrome: false, main: false }];
  const scan: PageScan = {
    maxDepth: 0,
    elements: 0,
    lang: null,
    title: null,
    metaTitle: null,
    author: null,
    canonical: null,
    publishedTime: null,
    text: '',
    releaseLinks: [],
  };
  let metaPublished: string | null = null;
  let timeDatetime: string | null = null;
  const jsonLd: string[] = [];
  let jsonLdChars = 0;
  const text: string[] = [];
  let silent = 0;
  let inTitle = false;
  let titleText = '';
  let jsonLdText: string | null = null;
  const groups = new Map<number, LinkGroup>();
  let linkIndex = 0;

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        scan.elements += 1;
        const parent = stack[stack.length - 1];
        const classes = (attribs.class ?? '').trim().split(/\s+/).sort().join('.');
        const role = (attribs.role ?? '').toLowerCase();
        const chrome =
          parent.chrome ||
          CHROME_TAGS.has(name) ||
          CHROME_ROLES.has(role) ||
          CHROME_WORDS.test(attribs.class ?? '') ||
          CHROME_WORDS.test(attribs.id ?? '');
        const frame: Frame = {
          name,
          path: hashStep(parent.path, `${name}.${classes}`),
          chrome,
          main: parent.main || name === 'main' || role === 'main',
        };
        stack.push(frame);
        scan.maxDepth = Math.max(scan.maxDepth, stack.length - 1);
        if (SILENT.has(name)) silent += 1;
        if (BLOCKS.has(name)) text.push('\n');
        switch (name) {
          case 'html':
            scan.lang ??= attribs.lang?.trim() || attribs['xml:lang']?.trim() || null;
            break;
          case 'title':
            inTitle = scan.title === null;
            break;
          case 'meta':
            readMeta(attribs);
            break;
          case 'link':
            if (scan.canonical === null && /(^|\s)canonical(\s|$)/i.test(attribs.rel ?? '') && attribs.href)
              scan.canonical = attribs.href;
            break;
          case 'time':
            timeDatetime ??= attribs.datetime?.trim() || null;
            break;
          case 'script':
            if ((attribs.type ?? '').toLowerCase().trim() === 'application/ld+json') jsonLdText = '';
            break;
          case 'a':
            if (attribs.href && !chrome) noteLink(attribs.href, frame);
            break;
        }
      },
      ontext(chunk) {
        if (inTitle) titleText += chunk;
        if (jsonLdText !== null && jsonLdChars + chunk.length <= MAX_JSON_LD_CHARS) {
          jsonLdText += chunk;
          jsonLdChars += chunk.length;
        }
        if (silent === 0) text.push(chunk);
      },
      onclosetag(name) {
        // htmlparser2 closes only what it opened: the root frame is never popped
        if (stack.length > 1) stack.pop();
        if (SILENT.has(name)) silent = Math.max(0, silent - 1);
        if (BLOCKS.has(name)) text.push('\n');
        if (name === 'title' && inTitle) {
          inTitle = false;
          scan.title = collapse(titleText) || null;
        }
        if (name === 'script' && jsonLdText !== null) {
          jsonLd.push(jsonLdText);
          jsonLdText = null;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );

  function readMeta(attribs: Record<string, string>): void {
    const key = (attribs.property ?? attribs.name ?? attribs.itemprop ?? '').toLowerCase().trim();
    const content = attribs.content?.trim();
    if (!content) return;
    if ((key === 'og:title' || key === 'twitter:title') && scan.metaTitle === null) scan.metaTitle = content;
    else if (key === 'author' && scan.author === null) scan.author = content;
    else if ((key === 'article:published_time' || key === 'datepublished') && metaPublished === null)
      metaPublished = content;
  }

  function noteLink(href: string, frame: Frame): void {
    const url = resolveHttpUrl(href, options.baseUrl);
    if (!url || !sameSite(url, base) || FILE_LINK.test(url.pathname)) return;
    const normalized = normalizePageUrl(url);
    if (normalized === self || url.pathname === '/' || url.pathname === '') return;
    let group = groups.get(frame.path);
    if (!group) {
      group = { urls: new Set(), ordered: [], first: linkIndex, inMain: frame.main };
      groups.set(frame.path, group);
    }
    linkIndex += 1;
    if (group.urls.has(normalized)) return;
    group.urls.add(normalized);
    if (group.ordered.length < options.maxLinks) group.ordered.push(normalized);
  }

  parser.write(html);
  parser.end();

  scan.text = blockText(text.join(''));
  scan.publishedTime = metaPublished ?? datePublishedIn(jsonLd) ?? timeDatetime;
  scan.releaseLinks = largestGroup([...groups.values()])?.ordered ?? [];
  return scan;
}

/**
 * The release list: of the groups of links sharing one tag-and-class path, the one with the most distinct
 * same-site URLs; only groups inside <main> compete when the page marks one; a tie goes to the earlier group.
 */
function largestGroup(groups: LinkGroup[]): LinkGroup | undefined {
  const inMain = groups.filter((g) => g.inMain);
  const candidates = inMain.length > 0 ? inMain : groups;
  let best: LinkGroup | undefined;
  for (const group of candidates) {
    if (
      !best ||
      group.urls.size > best.urls.size ||
      (group.urls.size === best.urls.size && group.first < best.first)
    )
      best = group;
  }
  return best;
}

/** FNV-1a over the parent's hash and the step: a path's identity in constant space. */
function hashStep(parent: number, step: string): number {
  let hash = parent;
  for (let i = 0; i < step.length; i++) {
    hash ^= step.charCodeAt(i);
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  hash ^= 0x2f; // '/': "ab" under "c" differs from "a" under "bc"
  return Math.imul(hash, 16777619) >>> 0;
}

function collapse(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/** Text with one block per line: runs of spaces collapsed, blank lines dropped. */
export function blockText(raw: string): string {
  return raw
    .split('\n')
    .map((line) => collapse(line))
    .filter((line) => line.length > 0)
    .join('\n');
}

/** Most JSON nodes looked at for a date: JSON-LD is small; a hostile one is cut short. */
const MAX_JSON_NODES = 10_000;

/**
 * The first `datePublished` string in the page's JSON-LD blocks (an iterative walk, bounded). A block nested
 * deeper than source JSON may be is skipped before it is parsed: up to 1 MB of nesting took ~230 ms to parse.
 */
function datePublishedIn(blocks: string[]): string | null {
  for (const block of blocks) {
    const read = parseBoundedJson(block, MAX_JSON_BODY_DEPTH);
    if (read.kind !== 'value') continue;
    const todo: unknown[] = [read.value];
    for (let seen = 0; todo.length > 0 && seen < MAX_JSON_NODES; seen++) {
      const node = todo.pop();
      if (Array.isArray(node)) todo.push(...node.slice(0, MAX_JSON_NODES));
      else if (node && typeof node === 'object') {
        const published = (node as Record<string, unknown>).datePublished;
        if (typeof published === 'string' && published.trim()) return published.trim();
        todo.push(...Object.values(node as Record<string, unknown>));
      }
    }
  }
  return null;
}
