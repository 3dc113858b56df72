/**
 * A bundle as a file gives it. Text editors and shells change a file's bytes in ways that change no JSON value:
 * a byte-order mark before the JSON (Windows editors), CRLF line ends (whitespace between tokens: inside a JSON
 * string a line break is always escaped, so no value can hold a raw one), UTF-16 (Windows PowerShell's `>`).
 * None of them touches what is verified: the record hash is over the RFC 8785 form of the record, the leaf and
 * the checkpoint are values inside the JSON. So they are read through, each with a note saying so, while
 * anything else that is not a JSON evidence bundle is "could not read", never "not verified".
 */
import { LedgerFormatError } from '../errors';
import { escapeHidden } from './display';
import { isPlainObject } from './fields';

/** What the verifier says about its input, apart from the checks: neither a check nor a failure. */
export interface EvidenceRemark {
  /** `note`: how the input was read; `warning`: something in the bundle the reader should know is off. */
  readonly level: 'note' | 'warning';
  readonly text: string;
}

export const BYTE_ORDER_MARK = '\uFEFF';

const UNCHANGED =
  "It is no part of the JSON and changes no value in it: the record hash is over the record's RFC 8785 form, not " +
  "over the file's bytes.";

export const BYTE_ORDER_MARK_NOTE: EvidenceRemark = {
  level: 'note',
  text: `The file began with a byte-order mark (U+FEFF, as some Windows editors write), which was removed before reading. ${UNCHANGED}`,
};

/** The text without a leading byte-order mark, and the note that says one was removed (none when there was none). */
export function stripByteOrderMark(text: string): { text: string; remarks: EvidenceRemark[] } {
  return text.startsWith(BYTE_ORDER_MARK)
    ? { text: text.slice(BYTE_ORDER_MARK.length), remarks: [BYTE_ORDER_MARK_NOTE] }
    : { text, remarks: [] };
}

/**
 * A bundle file's text: UTF-8 (JSON's encoding, RFC 8259 §8.1), with or without a byte-order mark, or UTF-16
 * with its byte-order mark. The mark is removed, with a note. Throws LedgerFormatError when the bytes are not
 * text in any of these (a file re-saved in a legacy code page, or not text at all).
 */
export function decodeBundleBytes(bytes: Uint8Array): { text: string; remarks: EvidenceRemark[] } {
  const utf16 =
    bytes[0] === 0xff && bytes[1] === 0xfe
      ? 'utf-16le'
      : bytes[0] === 0xfe && bytes[1] === 0xff
        ? 'utf-16be'
        : null;
  if (utf16 !== null) {
    let text: string;
    try {
      text = new TextDecoder(utf16, { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      throw new LedgerFormatError(
        `it begins as ${utf16.toUpperCase()} text, but is not valid ${utf16.toUpperCase()}`,
      );
    }
    return {
      text: text.slice(BYTE_ORDER_MARK.length),
      remarks: [
        {
          level: 'note',
          text: `The file is ${utf16.toUpperCase()} text with a byte-order mark (as Windows PowerShell's \`>\` writes), not UTF-8: it was read as ${utf16.toUpperCase()}, and the mark removed. ${UNCHANGED}`,
        },
      ],
    };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new LedgerFormatError(
      `it is not UTF-8 text (the byte at offset ${firstInvalidUtf8(bytes)} cannot start or continue a UTF-8 character): a bundle is UTF-8 JSON, was it saved in another encoding?`,
    );
  }
  return stripByteOrderMark(text);
}

/** The offset of the first byte that breaks UTF-8, for a reader to find it (in bytes known not to decode). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  // up to the first bad byte, a lossy decoding is exact, so its text re-encodes to the same bytes; a U+FFFD
  // there is the replacement for the bad byte, unless the file itself holds one (EF BF BD) at that offset
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  const encoder = new TextEncoder();
  for (let at = text.indexOf('\uFFFD'); at >= 0; at = text.indexOf('\uFFFD', at + 1)) {
    const offset = encoder.encode(text.slice(0, at)).length;
    if (bytes[offset] !== 0xef || bytes[offset + 1] !== 0xbf || bytes[offset + 2] !== 0xbd) return offset;
  }
  return bytes.length;
}

/**
 * Why `text` cannot be an evidence bundle at all, before any check: it is empty, not JSON, or JSON but no
 * object with a `format` (an error page, an API answer such as 202 Accepted). Null when it may be one: then
 * verifyEvidenceBundle says whether it is well-formed and what it proves. A leading byte-order mark is read through.
 */
export function unreadableBundleReason(text: string): string | null {
  const json = stripByteOrderMark(text).text;
  if (json.trim() === '') return 'it is empty';
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    // the engine's message quotes the start of the file: whatever it holds is shown escaped, never as itself
    return `it is not JSON (${escapeHidden((error as Error).message)})`;
  }
  if (!isPlainObject(value) || !('format' in value)) {
    return 'it is JSON, but not an evidence bundle (no "format" field)';
  }
  return null;
}
