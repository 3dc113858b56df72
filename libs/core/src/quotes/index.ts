import { extractQuotesFromHtml } from './html-quotes';
import { postKey } from './post-links';
import { extractQuotesFromText, normalizeQuotedText, type ExtractedQuote } from './quoted-text';

export * from './html-quotes';
export * from './post-links';
export * from './quoted-text';

export type QuoteDocumentFormat = 'text' | 'html';

/**
 * How many quoted statements one document may record by default (`VERBATIM_MAX_QUOTES_PER_DOCUMENT`): an
 * article quotes a handful; a page of thousands of post links is a list, not an article, and recording each
 * would write thousands of log entries for one request.
 */
export const DEFAULT_MAX_QUOTES_PER_DOCUMENT = 100;

// an element a page would have and running text would not; bounded, so linear on any input
const HTML_TAG = /<(?:!doctype|html|head|body|article|div|p|span|blockquote|br|a)[\s>/]/i;

/** HTML when it looks like markup (a tag pages have), text otherwise. */
export function detectQuoteFormat(document: string): QuoteDocumentFormat {
  return HTML_TAG.test(document) ? 'html' : 'text';
}

/**
 * Identity of a quoted statement: the same handle (any case) and the same text (any white space); a
 * link-only quote (no text) is the post it names.
 */
export function quoteKey(
  quote: Pick<ExtractedQuote, 'platform' | 'handle' | 'text'> &
    Partial<Pick<ExtractedQuote, 'postAccount' | 'postId'>>,
): string {
  if (quote.text === null)
    return `post\u0000${postKey({ platform: quote.platform, account: quote.postAccount ?? quote.handle, id: quote.postId ?? '' })}`;
  return `${quote.platform}\u0000${quote.handle.toLowerCase()}\u0000${normalizeQuotedText(quote.text)}`;
}

/** The quotes of one document, at most `limit`, and how many distinct ones it held. */
export interface QuoteExtraction {
  quotes: ExtractedQuote[];
  /** distinct quoted statements found, before the limit */
  found: number;
  limit: number;
  /** true when `found` is over `limit`: the first `limit`, in document order (embeds, text, links), are kept */
  truncated: boolean;
}

/** What the archive's tables accept as a handle and a post (quoted_statements.handle, quotations.post_id). */
const STORABLE_HANDLE = /^[A-Za-z0-9_][A-Za-z0-9_.:@%-]*$/;
const STORABLE_POST_ID = /^[A-Za-z0-9._:~-]+$/;

/**
 * Whether a quote names an account and a post the archive can store: a handle printed as `@-bad.` or a post
 * address on an IPv6 literal is not one we could file, so it is not taken as a quote at all.
 */
export function isStorableQuote(quote: ExtractedQuote): boolean {
  return (
    quote.handle.length <= 300 &&
    STORABLE_HANDLE.test(quote.handle) &&
    (quote.postId === null || (quote.postId.length <= 512 && STORABLE_POST_ID.test(quote.postId))) &&
    (quote.postAccount === null || (quote.postAccount.length >= 1 && quote.postAccount.length <= 300))
  );
}

/**
 * Every quoted statement in a document, once each, the first `limit` of them:
 * - a post both embedded and printed as text is the embed (it names the post), and the first of several
 *   identical quotes otherwise;
 * - a link to a post that a quote with words already names adds nothing; several links to one post are one.
 */
export function extractQuotes(
  document: string,
  format: QuoteDocumentFormat = detectQuoteFormat(document),
  limit = DEFAULT_MAX_QUOTES_PER_DOCUMENT,
): QuoteExtraction {
  const found = (
    format === 'html' ? extractQuotesFromHtml(document) : extractQuotesFromText(document)
  ).filter(isStorableQuote);
  const byKey = new Map<string, ExtractedQuote>();
  const named = new Set<string>();
  for (const quote of found) {
    if (quote.text === null) continue;
    const key = quoteKey(quote);
    const held = byKey.get(key);
    if (!held) byKey.set(key, quote);
    else if (held.postId === null && quote.postId !== null)
      byKey.set(key, { ...quote, name: quote.name ?? held.name, date: quote.date ?? held.date });
  }
  for (const quote of byKey.values()) if (quote.postId !== null) named.add(postOf(quote));
  for (const quote of found) {
    if (quote.text !== null || named.has(postOf(quote))) continue;
    named.add(postOf(quote));
    byKey.set(quoteKey(quote), quote);
  }
  const all = [...byKey.values()];
  const kept = Math.max(0, Math.floor(limit));
  return { quotes: all.slice(0, kept), found: all.length, limit: kept, truncated: all.length > kept };
}

function postOf(quote: ExtractedQuote): string {
  return postKey({
    platform: quote.platform,
    account: quote.postAccount ?? quote.handle,
    id: quote.postId ?? '',
  });
}

/** Every quoted statement in a document, once each (see extractQuotes), at most `limit`. */
export function extractQuotedStatements(
  document: string,
  format = detectQuoteFormat(document),
  limit = DEFAULT_MAX_QUOTES_PER_DOCUMENT,
): ExtractedQuote[] {
  return extractQuotes(document, format, limit).quotes;
}
