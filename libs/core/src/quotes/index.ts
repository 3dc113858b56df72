import { extractQuotesFromHtml } from './tweet-embeds';
import { extractQuotesFromText, normalizeQuotedText, type ExtractedQuote } from './quoted-text';

export * from './quoted-text';
export * from './tweet-embeds';

export type QuoteDocumentFormat = 'text' | 'html';

// an element a page would have and running text would not; bounded, so linear on any input
const HTML_TAG = /<(?:!doctype|html|head|body|article|div|p|span|blockquote|br|a)[\s>/]/i;

/** HTML when it looks like markup (a tag pages have), text otherwise. */
export function detectQuoteFormat(document: string): QuoteDocumentFormat {
  return HTML_TAG.test(document) ? 'html' : 'text';
}

/** Identity of a quoted statement: the same handle (any case) and the same text (any white space). */
export function quoteKey(quote: Pick<ExtractedQuote, 'platform' | 'handle' | 'text'>): string {
  return `${quote.platform}\u0000${quote.handle.toLowerCase()}\u0000${normalizeQuotedText(quote.text)}`;
}

/**
 * Every quoted statement in a document, once each: a post both embedded and printed as text is the embed
 * (it names the post), and the first of several identical quotes otherwise.
 */
export function extractQuotedStatements(
  document: string,
  format = detectQuoteFormat(document),
): ExtractedQuote[] {
  const found = format === 'html' ? extractQuotesFromHtml(document) : extractQuotesFromText(document);
  const byKey = new Map<string, ExtractedQuote>();
  for (const quote of found) {
    const key = quoteKey(quote);
    const held = byKey.get(key);
    if (!held) byKey.set(key, quote);
    else if (held.postId === null && quote.postId !== null)
      byKey.set(key, { ...quote, name: quote.name ?? held.name, date: quote.date ?? held.date });
  }
  return [...byKey.values()];
}
