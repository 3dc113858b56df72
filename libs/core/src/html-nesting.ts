/** Deeper HTML nesting is flattened before conversion: real posts nest a few dozen levels at most. */
export const MAX_HTML_DEPTH = 200;

// elements that never have content, so never add a level
const VOID = new Set(
  'area base br col embed hr img input keygen link meta param source track wbr'.split(' '),
);
// elements whose content the parsers we feed (htmlparser2) read as raw text: markup inside is not markup. Only
// these: browsers read <textarea>, <xmp>, <iframe>… as raw text too, but htmlparser2 builds their content as
// elements, so counting it as text would let nesting inside them past the cap
const RAW_TEXT = new Set(['script', 'style', 'title']);
// opening one of these while the same element is open closes it (<li>a<li>b are siblings, not nested)
const CLOSED_BY_SIBLING = new Set(['p', 'li', 'dt', 'dd', 'option', 'optgroup', 'tr', 'td', 'th']);

interface Tag {
  /** lower-cased element name */
  name: string;
  /** `whole`: an element that adds no level (void, or raw text such as <script>…</script> read at once) */
  kind: 'open' | 'close' | 'whole';
  start: number;
  /** index just past the tag's `>` (for `whole`, past its closing tag) */
  end: number;
}

/**
 * The fragment with its element nesting capped at `maxDepth`: tags deeper than the cap are dropped and their
 * text is kept, flat. The HTML-to-text converter walks the tree recursively, so tens of thousands of nested
 * elements in a post overflow the stack; a fragment within the cap is returned unchanged.
 * One linear pass (plus a second when the cap is hit). The depth counted is never below the one an HTML parser
 * builds: `<div/>` counts as an opening tag, as HTML parsers read it.
 */
export function capHtmlNesting(html: string, maxDepth: number = MAX_HTML_DEPTH): string {
  return deepestNesting(html, maxDepth) <= maxDepth ? html : flattenBeyond(html, maxDepth);
}

/**
 * How deep elements of the given names (ones whose closing tag HTML requires, such as blockquote or ul) nest,
 * never below what a parser builds: a closing tag closes one open element of its name, a stray one nothing.
 */
export function deepestNestingOf(html: string, names: ReadonlySet<string>): number {
  const open = new Map<string, number>();
  let depth = 0;
  let deepest = 0;
  for (const tag of tags(html)) {
    if (!names.has(tag.name) || tag.kind === 'whole') continue;
    const count = open.get(tag.name) ?? 0;
    if (tag.kind === 'open') {
      open.set(tag.name, count + 1);
      deepest = Math.max(deepest, ++depth);
    } else if (count > 0) {
      open.set(tag.name, count - 1);
      depth--;
    }
  }
  return deepest;
}

/** The nesting depth; counting stops once it exceeds `stopAbove`. */
function deepestNesting(html: string, stopAbove: number): number {
  const open: string[] = [];
  let deepest = 0;
  for (const tag of tags(html)) {
    if (tag.kind === 'close') closeElement(open, tag.name);
    else if (tag.kind === 'open') {
      openElement(open, tag.name);
      deepest = Math.max(deepest, open.length);
      if (deepest > stopAbove) return deepest;
    }
  }
  return deepest;
}

function flattenBeyond(html: string, maxDepth: number): string {
  const open: string[] = [];
  /** elements opened beyond the cap and not yet closed: their closing tags are dropped too */
  let dropped = 0;
  const kept: string[] = [];
  let copiedUpTo = 0;
  for (const tag of tags(html)) {
    let keep = true;
    if (tag.kind === 'close') {
      keep = dropped === 0;
      if (keep) closeElement(open, tag.name);
      else dropped--;
    } else if (tag.kind === 'open') {
      keep = open.length < maxDepth;
      if (keep) openElement(open, tag.name);
      else dropped++;
    }
    if (!keep) {
      if (tag.start > copiedUpTo) kept.push(html.slice(copiedUpTo, tag.start));
      copiedUpTo = tag.end;
    }
  }
  kept.push(html.slice(copiedUpTo));
  return kept.join('');
}

function openElement(open: string[], name: string): void {
  if (CLOSED_BY_SIBLING.has(name) && open[open.length - 1] === name) open.pop();
  open.push(name);
}

/** Closes up to the nearest open element of that name; a stray closing tag closes nothing. */
function closeElement(open: string[], name: string): void {
  // only the top levels are searched: looking deeper for a stray tag would cost depth × tags (missing a
  // match only overestimates the depth)
  const lowest = Math.max(0, open.length - 64);
  for (let i = open.length - 1; i >= lowest; i--) {
    if (open[i] === name) {
      open.length = i;
      return;
    }
  }
}

/** Tags in document order; comments and declarations skipped, raw-text elements read whole. */
function* tags(html: string): Generator<Tag> {
  let at = html.indexOf('<');
  while (at !== -1) {
    let next = at + 1;
    if (html.startsWith('<!--', at)) {
      const close = html.indexOf('-->', at + 4);
      if (close === -1) return; // the rest is a comment
      next = close + 3;
    } else if (html[at + 1] === '!' || html[at + 1] === '?') {
      const close = html.indexOf('>', at + 2);
      if (close === -1) return;
      next = close + 1;
    } else {
      const closing = html[at + 1] === '/';
      const name = tagName(html, at + (closing ? 2 : 1));
      if (name !== '') {
        const end = tagEnd(html, at + 1);
        if (end === -1) return; // an unterminated tag swallows the rest
        next = end;
        if (closing) yield { name, kind: 'close', start: at, end };
        else if (VOID.has(name)) yield { name, kind: 'whole', start: at, end };
        else if (RAW_TEXT.has(name)) {
          const close = indexOfClosingTag(html, name, end);
          const closeEnd = close === -1 ? -1 : html.indexOf('>', close);
          // unclosed raw text runs to the end: nothing after it is markup
          next = closeEnd === -1 ? html.length : closeEnd + 1;
          yield { name, kind: 'whole', start: at, end: next };
        } else yield { name, kind: 'open', start: at, end };
      }
    }
    at = html.indexOf('<', next);
  }
}

const CLOSING_TAG = new Map([...RAW_TEXT].map((name) => [name, new RegExp(`</${name}`, 'gi')]));

function indexOfClosingTag(html: string, name: string, from: number): number {
  const pattern = CLOSING_TAG.get(name) as RegExp;
  pattern.lastIndex = from;
  return pattern.exec(html)?.index ?? -1;
}

function tagName(html: string, from: number): string {
  // a tag name starts with a letter; "< 3" or "<3" is text
  if (!isLetter(html.charCodeAt(from))) return '';
  let end = from + 1;
  while (end < html.length && isNameChar(html.charCodeAt(end))) end++;
  return html.slice(from, end).toLowerCase();
}

function isLetter(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
}

function isNameChar(code: number): boolean {
  return isLetter(code) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x3a;
}

const GT = 0x3e;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;

/** Index past the tag's `>`; quotes count only as attribute values (after `=`), as in the HTML tokenizer. */
function tagEnd(html: string, from: number): number {
  let afterEquals = false;
  for (let i = from; i < html.length; i++) {
    const c = html.charCodeAt(i);
    if (c === GT) return i + 1;
    if (afterEquals && (c === QUOTE || c === APOSTROPHE)) {
      const close = html.indexOf(html[i], i + 1);
      if (close === -1) return -1;
      i = close;
      afterEquals = false;
    } else if (c === EQUALS) afterEquals = true;
    else if (c > 0x20) afterEquals = false;
  }
  return -1;
}
