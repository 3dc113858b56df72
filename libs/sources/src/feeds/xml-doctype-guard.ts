import { notAFeed } from './xml-text';

const QUOTES = new Set(['"', "'"]);
const NAME_CHAR = /[A-Za-z0-9_:.-]/;

/**
 * Refuses, in one linear pass over the markup, what could make XML parsing expand without bound or reach
 * outside the document:
 * - a DOCTYPE with an internal subset (`[ … ]`, where entities are declared: billion laughs, parameter
 *   entities) or an external identifier (SYSTEM / PUBLIC: external entities, XXE);
 * - a second DOCTYPE, or one after the root element started (the XML library reads a DOCTYPE wherever it is);
 * - any other markup declaration (`<!ENTITY …>`) outside a DOCTYPE.
 * Comments, CDATA sections, processing instructions and quoted attribute values are skipped whole, so markup
 * quoted inside them never counts and a DOCTYPE cannot hide behind them.
 * Whatever is never closed (comment, CDATA, PI, tag) is refused where it opens: searching for a close once per
 * opener is what made a body of repeated `<!--` cost the square of its length.
 */
export function assertSafeDoctype(xml: string): void {
  let seenDoctype = false;
  let rootStarted = false;
  let at = xml.indexOf('<');
  while (at !== -1) {
    let end: number;
    if (xml.startsWith('<!--', at)) end = closeAfter(xml, at + 4, '-->', 'a comment');
    else if (xml.startsWith('<![CDATA[', at)) end = closeAfter(xml, at + 9, ']]>', 'a CDATA section');
    else if (xml.startsWith('<?', at)) end = closeAfter(xml, at + 2, '?>', 'a processing instruction');
    else if (xml.startsWith('<!', at)) {
      const keyword = nameAt(xml, at + 2);
      if (keyword.toUpperCase() !== 'DOCTYPE') {
        throw notAFeed(
          `refused: markup declaration <!${keyword.slice(0, 20)}> outside a document type (entities are not accepted)`,
        );
      }
      if (seenDoctype) throw notAFeed('refused: more than one document type declaration (DOCTYPE)');
      if (rootStarted)
        throw notAFeed('refused: a document type declaration (DOCTYPE) after the root element');
      seenDoctype = true;
      end = doctypeEnd(xml, at + 2 + keyword.length);
    } else {
      end = tagEnd(xml, at + 1);
      rootStarted = true;
    }
    at = xml.indexOf('<', end);
  }
}

function closeAfter(xml: string, from: number, close: string, what: string): number {
  const found = xml.indexOf(close, from);
  if (found === -1) throw notAFeed(`malformed XML (${what} is never closed)`);
  return found + close.length;
}

function nameAt(xml: string, from: number): string {
  let end = from;
  while (end < xml.length && NAME_CHAR.test(xml[end])) end++;
  return xml.slice(from, end);
}

/** Past the `>` of a tag, skipping quoted attribute values (which may contain `>`). */
function tagEnd(xml: string, from: number): number {
  for (let i = from; i < xml.length; i++) {
    const c = xml[i];
    if (c === '>') return i + 1;
    if (QUOTES.has(c)) {
      const close = xml.indexOf(c, i + 1);
      if (close === -1) throw notAFeed('malformed XML (an attribute value is never closed)');
      i = close;
    }
  }
  throw notAFeed('malformed XML (a tag is never closed)');
}

/** Past the `>` of `<!DOCTYPE name>`, the only form accepted: no external identifier, no internal subset. */
function doctypeEnd(xml: string, from: number): number {
  for (let i = from; i < xml.length; i++) {
    const c = xml[i];
    if (c === '>') return i + 1;
    if (c === '[') {
      throw notAFeed(
        'refused: the document type has an internal subset, where entities are declared ' +
          '(they can expand without bound or read external files)',
      );
    }
    if (c === '<') throw notAFeed('malformed XML (the DOCTYPE is never closed)');
    if (QUOTES.has(c)) {
      const close = xml.indexOf(c, i + 1);
      if (close === -1) throw notAFeed('malformed XML (a quoted string in the DOCTYPE is never closed)');
      i = close;
    } else if (NAME_CHAR.test(c)) {
      const word = nameAt(xml, i);
      const upper = word.toUpperCase();
      if (upper === 'SYSTEM' || upper === 'PUBLIC') {
        throw notAFeed(
          `refused: the document type points to an external definition (${upper} identifier), which could be read from anywhere`,
        );
      }
      i += word.length - 1;
    }
  }
  throw notAFeed('malformed XML (the DOCTYPE is never closed)');
}
