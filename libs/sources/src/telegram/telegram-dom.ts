import { selectAll, selectOne } from 'css-select';
import { type AnyNode, type Document, type Element } from 'domhandler';
import { textContent } from 'domutils';
import { parseDocument } from 'htmlparser2';
import { capHtmlNesting } from '@app/core';

/** A parsed page and the source text its node offsets point into. */
export interface ParsedHtml {
  document: Document;
  source: string;
}

/**
 * Parses a page with htmlparser2, keeping every node's offsets so that a fragment can be cut from the page
 * exactly as it was sent. Nesting deeper than real pages ever have (MAX_HTML_DEPTH) is flattened first: the
 * selector engine's walk and the text helpers slow down or recurse with depth, and a real page is unchanged.
 */
export function parseHtml(body: Buffer | string): ParsedHtml {
  const source = capHtmlNesting(typeof body === 'string' ? body : body.toString('utf8'));
  const document = parseDocument(source, { withStartIndices: true, withEndIndices: true });
  return { document, source };
}

export function one(selector: string, within: AnyNode | AnyNode[]): Element | null {
  return selectOne(selector, within);
}

export function all(selector: string, within: AnyNode | AnyNode[]): Element[] {
  return selectAll(selector, within);
}

/** Text as a reader sees it, entities decoded, runs of white space (including &nbsp;) folded. */
export function textOf(node: AnyNode | null): string {
  return node ? textContent(node).replace(/\s+/gu, ' ').trim() : '';
}

/** An element's content exactly as the page has it: the markup between its opening and closing tags. */
export function innerHtml(element: Element, source: string): string {
  const first = element.children[0];
  const last = element.children[element.children.length - 1];
  if (!first || !last || first.startIndex === null || last.endIndex === null) return '';
  return source.slice(first.startIndex, last.endIndex + 1);
}

export function attribute(element: Element | null, name: string): string | null {
  const value = element?.attribs[name];
  return value === undefined ? null : value;
}

export function hasClass(element: Element, name: string): boolean {
  return (element.attribs.class ?? '').split(/\s+/).includes(name);
}

/**
 * The URL in an inline `background-image:url('…')`, the way the web preview shows photos and thumbnails.
 * A small declaration parser rather than a pattern over the whole page: only this one attribute is read.
 */
export function backgroundImageUrl(element: Element | null): string | null {
  const style = attribute(element, 'style');
  if (!style) return null;
  for (const declaration of style.split(';')) {
    const colon = declaration.indexOf(':');
    if (colon < 0 || declaration.slice(0, colon).trim().toLowerCase() !== 'background-image') continue;
    const value = declaration.slice(colon + 1).trim();
    if (!value.toLowerCase().startsWith('url(') || !value.endsWith(')')) return null;
    const inner = value.slice(4, -1).trim();
    const unquoted = /^(['"]).*\1$/s.test(inner) ? inner.slice(1, -1) : inner;
    return unquoted === '' ? null : absoluteUrl(unquoted);
  }
  return null;
}

/** Protocol-relative URLs (`//telegram.org/…`) as https; anything that is not an http(s) URL is dropped. */
export function absoluteUrl(value: string | null): string | null {
  if (!value) return null;
  const spelled = value.startsWith('//') ? `https:${value}` : value;
  try {
    const { protocol } = new URL(spelled);
    // kept as spelled: a normalised URL would not be the one the page gave
    return protocol === 'https:' || protocol === 'http:' ? spelled : null;
  } catch {
    return null;
  }
}
