/**
 * Finds statements quoted the way news sites print an embedded post once its script has not run:
 *
 *   <text> — <Name> (@handle) <Month D, YYYY>
 *
 * An X handle is `@user`; a Mastodon handle is `@user@host` (the fediverse's full address).
 *
 * The signature "(@handle) Month D, YYYY" is the anchor: it is matched with bounded quantifiers only, and the
 * name and text are then read backwards from it, never further back than the end of the previous quote, so
 * the whole scan stays linear in the input whatever it holds.
 */
import { type QuotePlatform } from './post-links';

/**
 * A post quoted in a document: what it claims, not what we captured. A quote whose `text` is null is
 * link-only: the document named the post (a plain link, or an embed that is only a frame or a script) but
 * printed none of its words, so it claims no text; the words are the original's, once captured.
 */
export interface ExtractedQuote {
  /** the platform the handle belongs to */
  platform: QuotePlatform;
  /** the claimed author's handle, without the leading @ (`user@host` on Mastodon) */
  handle: string;
  /** the claimed author's display name as printed, null when the article printed none */
  name: string | null;
  /** the claimed date (YYYY-MM-DD) as printed, null when there was none */
  date: string | null;
  /** the quoted text exactly as printed (outer white space trimmed); null when the document printed none */
  text: string | null;
  /** `text`: a quotation printed in running text; `embed`: a platform's embed code; `link`: a plain link */
  foundIn: 'text' | 'embed' | 'link';
  /** the platform's id of the post (X status id, Bluesky record key…), when the document names the post */
  postId: string | null;
  postUrl: string | null;
  /** the account the post's address names (X user, Bluesky DID or handle, channel, `user@host`) */
  postAccount: string | null;
  /** Bluesky: the CID of the record version the embed shows */
  postCid?: string;
}

/** Longer than any post X accepts (25,000 characters): a "quote" longer than that is running text, not a post. */
export const MAX_QUOTED_TEXT = 25_000;
const MAX_NAME = 100;

const MONTHS: Record<string, number> = {
  january: 1, jan: 1, february: 2, feb: 2, march: 3, mar: 3, april: 4, apr: 4, may: 5, june: 6, jun: 6,
  july: 7, jul: 7, august: 8, aug: 8, september: 9, sep: 9, sept: 9, october: 10, oct: 10,
  november: 11, nov: 11, december: 12, dec: 12,
}; // prettier-ignore

// every quantifier is bounded and the match starts at a literal "(@": no backtracking blow-up is possible
// (@user) is an X handle, (@user@host) a Mastodon one
const SIGNATURE =
  /\(@([A-Za-z0-9_]{1,30})(?:@([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}))?\)\s{0,20}([A-Za-z]{3,9})\.?\s{1,20}(\d{1,2}),?\s{1,20}(\d{4})(?!\d)/g;
const X_HANDLE = /^[A-Za-z0-9_]{1,15}$/;
const DASHES = ['\u2014', '\u2013', '--'];
const PARAGRAPH_BREAK = /\n[^\S\n]*\n/g;

/** The date as YYYY-MM-DD, or null when the month or day does not exist. */
export function claimedDate(month: string, day: string, year: string): string | null {
  const m = MONTHS[month.toLowerCase()];
  if (m === undefined) return null;
  const d = Number(day);
  const y = Number(year);
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

/** A signature found in text: the dash before the name, the name, handle and date. */
export interface QuoteSignature {
  /** where the dash starts: the quoted text ends before it */
  dashAt: number;
  /** just past the date */
  end: number;
  name: string | null;
  platform: 'x' | 'mastodon';
  /** `user` on X, `user@host` on Mastodon */
  handle: string;
  date: string;
}

/** Every "— Name (@handle) Month D, YYYY" in `text`, in order; a signature without a dash before it is none. */
export function findSignatures(text: string): QuoteSignature[] {
  const found: QuoteSignature[] = [];
  let floor = 0;
  for (const match of text.matchAll(SIGNATURE)) {
    const at = match.index;
    const [, user, host, month, day, year] = match;
    if (host === undefined && !X_HANDLE.test(user)) continue; // longer than X allows, and no instance
    const date = claimedDate(month, day, year);
    const dash = date === null ? null : lastDash(text, Math.max(floor, at - MAX_NAME), at);
    if (date === null || dash === null) continue;
    const name = text.slice(dash.end, at).replace(/\s+/gu, ' ').trim();
    found.push({
      dashAt: dash.at,
      end: at + match[0].length,
      name: name || null,
      platform: host === undefined ? 'x' : 'mastodon',
      handle: host === undefined ? user : `${user}@${host.toLowerCase()}`,
      date,
    });
    floor = at + match[0].length;
  }
  return found;
}

/** The last dash in text[from, to) with nothing but a name (no line break) between it and `to`. */
function lastDash(text: string, from: number, to: number): { at: number; end: number } | null {
  const window = text.slice(from, to);
  const lineStart = window.lastIndexOf('\n') + 1;
  let best: { at: number; end: number } | null = null;
  for (const dash of DASHES) {
    const i = window.lastIndexOf(dash);
    if (i >= lineStart && (best === null || from + i > best.at))
      best = { at: from + i, end: from + i + dash.length };
  }
  return best;
}

/**
 * Quotes printed in running text: the quoted text is the paragraph (back to the previous blank line, or the
 * previous quote) that ends at the signature's dash.
 */
export function extractQuotesFromText(text: string): ExtractedQuote[] {
  const quotes: ExtractedQuote[] = [];
  let floor = 0;
  for (const signature of findSignatures(text)) {
    const start = paragraphStart(text, floor, signature.dashAt);
    floor = signature.end;
    const quoted = text.slice(start, signature.dashAt).trim();
    if (quoted.length === 0 || quoted.length > MAX_QUOTED_TEXT) continue;
    quotes.push({
      platform: signature.platform,
      handle: signature.handle,
      name: signature.name,
      date: signature.date,
      text: quoted,
      foundIn: 'text',
      postId: null,
      postUrl: null,
      postAccount: null,
    });
  }
  return quotes;
}

/** Just after the last blank line in text[from, to), or `from`. */
function paragraphStart(text: string, from: number, to: number): number {
  const segment = text.slice(from, to);
  let start = 0;
  for (const match of segment.matchAll(PARAGRAPH_BREAK)) start = match.index + match[0].length;
  return from + start;
}

/** The same text whatever its white space: runs of white space (&nbsp; included) as one space, trimmed, NFC. */
export function normalizeQuotedText(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}
