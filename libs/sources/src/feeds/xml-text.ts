import { ErrorCode, SourceError } from '@app/core';
import { TextDecoder } from 'node:util';

/** Every "this is not a feed we can read" error from the feed parser starts with this. */
export const NOT_A_FEED = 'not an RSS or Atom feed';

export function notAFeed(reason: string): SourceError {
  return new SourceError(ErrorCode.SourceInvalidResponse, `${NOT_A_FEED}: ${reason}`);
}

const XML_DECLARATION_ENCODING = /^<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/;
const CHARSET_PARAM = /;\s*charset\s*=\s*"?([A-Za-z0-9._:-]+)"?/i;

/**
 * Decodes the exact bytes of an XML document to text.
 * Order: byte-order mark, then the XML declaration's encoding (written by the same program that encoded the
 * bytes, so more reliable on government sites than the server's header), then the HTTP charset, then UTF-8.
 */
export function decodeXmlBytes(bytes: Buffer, contentType?: string | null): string {
  const label = encodingLabel(bytes, contentType);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: false, ignoreBOM: false });
  } catch {
    throw notAFeed(`unsupported character encoding "${label}"`);
  }
  return decoder.decode(bytes);
}

function encodingLabel(bytes: Buffer, contentType?: string | null): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  // the declaration is ASCII in every ASCII-compatible encoding, so reading it as latin1 is safe
  const head = bytes.subarray(0, 256).toString('latin1');
  const declared = XML_DECLARATION_ENCODING.exec(head)?.[1];
  if (declared) return declared.toLowerCase();
  const fromHeader = contentType ? CHARSET_PARAM.exec(contentType)?.[1] : undefined;
  return fromHeader ? fromHeader.toLowerCase() : 'utf-8';
}

const REFERENCE = /^&(#x[0-9a-fA-F]{1,8}|#[0-9]{1,10}|lt|gt|amp|quot|apos);/;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Character data of raw element content (kept raw by the parser for Atom content): CDATA sections taken as they
 * are, the five XML entities and numeric references decoded, in one pass so nothing is decoded twice.
 * A loop with indexOf rather than a lazy regex: an unterminated `<![CDATA[` must not be searched to the end
 * once per opener.
 */
export function decodeCharacterData(raw: string): string {
  let out = '';
  let at = 0;
  // each position is searched for again only once passed, so every character is looked at a bounded number of times
  let amp = raw.indexOf('&');
  let cdata = raw.indexOf('<![CDATA[');
  while (amp !== -1 || cdata !== -1) {
    if (cdata !== -1 && (amp === -1 || cdata < amp)) {
      const close = raw.indexOf(']]>', cdata + 9);
      // unterminated: the rest is text as written (a well-formed document never gets here)
      if (close === -1) return out + raw.slice(at);
      out += raw.slice(at, cdata) + raw.slice(cdata + 9, close);
      at = close + 3;
    } else {
      const ref = REFERENCE.exec(raw.slice(amp, amp + 16))?.[1];
      out += raw.slice(at, amp) + (ref === undefined ? '&' : decodeReference(ref, `&${ref};`));
      at = amp + (ref === undefined ? 1 : ref.length + 2);
    }
    if (amp !== -1 && amp < at) amp = raw.indexOf('&', at);
    if (cdata !== -1 && cdata < at) cdata = raw.indexOf('<![CDATA[', at);
  }
  return out + raw.slice(at);
}

function decodeReference(ref: string, written: string): string {
  if (ref.startsWith('#')) {
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return isXmlChar(code) ? String.fromCodePoint(code) : written;
  }
  return NAMED[ref] ?? written;
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
