import { is, selectAll } from 'css-select';
import { type AnyNode, type Element, type ParentNode } from 'domhandler';
import { getInnerHTML, getOuterHTML, textContent } from 'domutils';
import { parseDocument } from 'htmlparser2';
import { capHtmlNesting } from '../html-nesting';
import { htmlToPlainText } from '../html-text';
import { parseBlueskyPostUri, parsePostUrl, type PostLink } from './post-links';
import {
  claimedDate,
  extractQuotesFromText,
  findSignatures,
  MAX_QUOTED_TEXT,
  type ExtractedQuote,
} from './quoted-text';

/**
 * The embed codes platforms give for a post, as they stand in a page before their scripts run:
 * - X: `blockquote.twitter-tweet`, the post's text in <p>, then "— Name (@handle) <a href=status URL>Date</a>";
 * - Bluesky: `blockquote.bluesky-embed` naming the record (`data-bluesky-uri`, an at:// URI, and the
 *   version's `data-bluesky-cid`), the text in <p>, then "— Name (<a>@handle</a>) <a>Date at time</a>";
 * - Mastodon: `blockquote.mastodon-embed[data-embed-url]` (4.3 on: a link card, no text) or the older
 *   `iframe.mastodon-embed` framing `https://host/@user/<id>/embed`;
 * - Telegram: the widget script `script[data-telegram-post="channel/id"]`, or an iframe of `t.me/…?embed=1`.
 * Frames and scripts carry only the post's address: their quotes are link-only (no text).
 */
const EMBED = [
  'blockquote.twitter-tweet',
  'blockquote.bluesky-embed[data-bluesky-uri][data-bluesky-cid]',
  'blockquote.mastodon-embed[data-embed-url]',
  'iframe.mastodon-embed[src]',
  'script[data-telegram-post]',
  'iframe[src*="embed=1"]',
].join(', ');

// a post, its author's name, handle, date and links: an embed holding more text than this is no embed
const MAX_EMBED_TEXT = MAX_QUOTED_TEXT + 1_000;

/**
 * Quotes in an HTML page, in this order: each embed (outermost only), quotes printed in the rest of the
 * page's text, then plain links to posts (`a[href]`) outside the embeds. Every element is visited a bounded
 * number of times, so the cost is linear in the page whatever it holds.
 */
export function extractQuotesFromHtml(html: string): ExtractedQuote[] {
  const document = parseDocument(capHtmlNesting(html));
  // an embed inside an embed is not any platform's markup: only the outermost are read, so each node is read once
  const embeds = selectAll<AnyNode, Element>(EMBED, document).filter((e) => !insideEmbed(e));
  const quotes: ExtractedQuote[] = [];
  for (const embed of embeds) {
    const quote = embedQuote(embed);
    if (quote) quotes.push(quote);
  }
  // the embeds are read: what is left is the article's own text and links
  removeAll(embeds);
  removeAll(selectAll<AnyNode, Element>('script, style, template', document));
  const links = selectAll<AnyNode, Element>('a[href]', document);
  quotes.push(...extractQuotesFromText(htmlToPlainText(getOuterHTML(document))));
  for (const link of links) {
    const post = parsePostUrl(link.attribs.href);
    if (post) quotes.push(linkOnlyQuote(post, 'link'));
  }
  return quotes;
}

function embedQuote(embed: Element): ExtractedQuote | null {
  if (is(embed, 'blockquote.twitter-tweet')) return tweetEmbedQuote(embed);
  if (is(embed, 'blockquote.bluesky-embed')) return blueskyEmbedQuote(embed);
  const address = is(embed, 'script')
    ? telegramWidgetUrl(embed.attribs['data-telegram-post'])
    : (embed.attribs['data-embed-url'] ?? embed.attribs.src);
  const post = address === null ? null : parsePostUrl(address);
  // an iframe with "embed=1" in its address is only Telegram's when it frames a t.me post
  if (!post || (is(embed, 'iframe:not(.mastodon-embed)') && post.platform !== 'telegram')) return null;
  if (is(embed, '.mastodon-embed') && post.platform !== 'mastodon') return null;
  return linkOnlyQuote(post, 'embed');
}

/** `data-telegram-post="channel/id"` as the post's address. */
function telegramWidgetUrl(value: string): string | null {
  return /^[A-Za-z0-9_]{1,64}\/[0-9]{1,16}$/.test(value.trim()) ? `https://t.me/${value.trim()}` : null;
}

/** A quote that names a post and claims no words: its author is the account the address names. */
function linkOnlyQuote(post: PostLink, foundIn: 'embed' | 'link'): ExtractedQuote {
  return {
    platform: post.platform,
    handle: post.account,
    name: null,
    date: null,
    text: null,
    foundIn,
    postId: post.id,
    postUrl: post.url,
    postAccount: post.account,
  };
}

function tweetEmbedQuote(embed: Element): ExtractedQuote | null {
  // entities decoded by the parser; enough to find the signature (the post's text is read from its <p>)
  // white space folded: the markup may break the line anywhere in "— Name (@handle) Date"
  const whole = textContent(embed).replace(/\s+/gu, ' ');
  if (whole.length > MAX_EMBED_TEXT) return null;
  const links = selectAll('a[href]', embed);
  const last = links.length > 0 ? parsePostUrl(links[links.length - 1].attribs.href) : null;
  const status = last?.platform === 'x' ? last : null;
  const signature = findSignatures(whole)
    .filter((s) => s.platform === 'x')
    .pop();
  if (!status && !signature) return null;
  const text = paragraphsText(embed) ?? whole.slice(0, signature?.dashAt ?? whole.length).trim();
  if (text.length === 0 || text.length > MAX_QUOTED_TEXT) return null;
  return {
    platform: 'x',
    // the status URL names the account the post belongs to; the printed handle is what the embed claims
    handle: status?.account ?? signature!.handle,
    name: signature?.name ?? null,
    date: signature?.date ?? null,
    text,
    foundIn: 'embed',
    postId: status?.id ?? null,
    postUrl: status?.url ?? null,
    postAccount: status?.account ?? null,
  };
}

// "— Name (@handle) November 20, 2024 at 6:13 PM": every quantifier bounded, read on a bounded tail
const BLUESKY_SIGNATURE =
  /^\s{0,20}([^()]{0,100}?)\s{0,20}\(@([A-Za-z0-9.:-]{1,253})\)\s{0,20}([A-Za-z]{3,9})\.?\s{1,20}(\d{1,2}),?\s{1,20}(\d{4})(?!\d)/;

function blueskyEmbedQuote(embed: Element): ExtractedQuote | null {
  const post = parseBlueskyPostUri(embed.attribs['data-bluesky-uri']);
  if (!post) return null;
  const cid = embed.attribs['data-bluesky-cid'].trim();
  const named = /^[A-Za-z0-9]{1,128}$/.test(cid) ? { postCid: cid } : {};
  const whole = textContent(embed).replace(/\s+/gu, ' ');
  // more text than any post: the words are not the post's, but the URI still names it
  if (whole.length > MAX_EMBED_TEXT) return { ...linkOnlyQuote(post, 'embed'), ...named };
  const dash = whole.lastIndexOf('\u2014');
  const signature = dash < 0 ? null : BLUESKY_SIGNATURE.exec(whole.slice(dash + 1, dash + 1 + 400));
  const text = paragraphsText(embed);
  return {
    ...linkOnlyQuote(post, 'embed'),
    // the handle the embed prints is what it claims; the URI's DID is whose record it names
    handle: signature ? signature[2].toLowerCase() : post.account,
    name: signature?.[1].trim() || null,
    date: signature ? claimedDate(signature[3], signature[4], signature[5]) : null,
    text: text !== null && text.length > 0 && text.length <= MAX_QUOTED_TEXT ? text : null,
    ...named,
  };
}

/** The text of an embed's <p> elements, paragraphs apart; null when it has none. */
function paragraphsText(embed: Element): string | null {
  const paragraphs = selectAll('p', embed);
  if (paragraphs.length === 0) return null;
  return paragraphs
    .map((p) => htmlToPlainText(getInnerHTML(p)))
    .join('\n\n')
    .trim();
}

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
