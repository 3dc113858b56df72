import { is, selectAll } from 'css-select';
import { type AnyNode, type Element, type ParentNode } from 'domhandler';
import { getInnerHTML, getOuterHTML, textContent } from 'domutils';
import { parseDocument } from 'htmlparser2';
import { capHtmlNesting } from '../html-nesting';
import { htmlToPlainText } from '../html-text';
import { extractQuotesFromText, findSignatures, MAX_QUOTED_TEXT, type ExtractedQuote } from './quoted-text';

// the status link X's embed code ends with: https://twitter.com/<handle>/status/<id>?ref_src=…
const STATUS_URL =
  /^https?:\/\/(?:www\.|mobile\.)?(?:twitter|x)\.com\/([A-Za-z0-9_]{1,15})\/status(?:es)?\/(\d{1,20})(?!\d)/i;

/**
 * Quotes in an HTML page: each `blockquote.twitter-tweet` (X's embed code, as it stands before its script
 * runs: the post's text in <p>, then "— Name (@handle) <a href=status URL>Date</a>"), then quotes printed in
 * the rest of the page's text. The embed's last link names the post.
 */
export function extractQuotesFromHtml(html: string): ExtractedQuote[] {
  const document = parseDocument(capHtmlNesting(html));
  // an embed inside an embed is not X's markup: only the outermost are read, so each node is read once
  const embeds = selectAll<AnyNode, Element>(EMBED, document).filter((e) => !insideEmbed(e));
  const quotes: ExtractedQuote[] = [];
  for (const embed of embeds) {
    const quote = embedQuote(embed);
    if (quote) quotes.push(quote);
  }
  // the embeds are read: what is left is the article's own text, where quotes may be printed as text
  removeAll(embeds);
  removeAll(selectAll<AnyNode, Element>('script, style, template', document));
  quotes.push(...extractQuotesFromText(htmlToPlainText(getOuterHTML(document))));
  return quotes;
}

const EMBED = 'blockquote.twitter-tweet';
// a post, its author's name, handle, date and links: an embed holding more text than this is no embed
const MAX_EMBED_TEXT = MAX_QUOTED_TEXT + 1_000;

/**
 * Takes elements out of the tree, each parent's children filtered once: removing them one by one
 * (domutils.removeElement) searches the parent's children each time, quadratic on a page of many embeds.
 */
function removeAll(elements: Element[]): void {
  const doomed = new Set<AnyNode>(elements);
  const parents = new Set<ParentNode>();
  for (const element of elements) if (element.parent) parents.add(element.parent);
  for (const parent of parents) {
    const kept = parent.children.filter((child) => !doomed.has(child));
    kept.forEach((child, i) => {
      child.prev = kept[i - 1] ?? null;
      child.next = kept[i + 1] ?? null;
    });
    parent.children = kept;
  }
  for (const element of elements) element.parent = element.prev = element.next = null;
}

function insideEmbed(element: Element): boolean {
  for (let up = element.parent; up; up = up.parent)
    if (up.type === 'tag' && is(up as Element, EMBED)) return true;
  return false;
}

function embedQuote(embed: Element): ExtractedQuote | null {
  // entities decoded by the parser; enough to find the signature (the post's text is read from its <p>)
  // white space folded: the markup may break the line anywhere in "— Name (@handle) Date"
  const whole = textContent(embed).replace(/\s+/gu, ' ');
  if (whole.length > MAX_EMBED_TEXT) return null;
  const links = selectAll('a[href]', embed);
  const status = STATUS_URL.exec(links.length > 0 ? links[links.length - 1].attribs.href.trim() : '');
  const signature = findSignatures(whole).pop();
  if (!status && !signature) return null;
  const paragraphs = selectAll('p', embed);
  const text =
    paragraphs.length > 0
      ? paragraphs.map((p) => htmlToPlainText(getInnerHTML(p))).join('\n\n')
      : whole.slice(0, signature?.dashAt ?? whole.length);
  const quoted = text.trim();
  if (quoted.length === 0 || quoted.length > MAX_QUOTED_TEXT) return null;
  return {
    platform: 'x',
    // the status URL names the account the post belongs to; the printed handle is what the embed claims
    handle: status?.[1] ?? signature!.handle,
    name: signature?.name ?? null,
    date: signature?.date ?? null,
    text: quoted,
    foundIn: 'embed',
    postId: status?.[2] ?? null,
    postUrl: status ? status[0] : null,
  };
}
