/** Encodings the feed builders can write besides UTF-8: the ones government feeds still use. */
export type FeedEncoding = 'utf-8' | 'windows-1251' | 'iso-8859-1';

/**
 * Encodes an XML document. Characters the target encoding lacks become numeric character references, which is
 * what real generators do; so only call this on whole documents whose non-ASCII text sits in character data.
 */
export function encodeXml(xml: string, encoding: FeedEncoding): Buffer {
  if (encoding === 'utf-8') return Buffer.from(xml, 'utf8');
  const bytes: number[] = [];
  for (const char of xml) {
    const code = char.codePointAt(0) ?? 0;
    const byte = encoding === 'iso-8859-1' ? (code < 0x100 ? code : null) : windows1251Byte(code);
    if (byte !== null) bytes.push(byte);
    else for (const ascii of Buffer.from(`&#${code};`, 'ascii')) bytes.push(ascii);
  }
  return Buffer.from(bytes);
}

// windows-1251 for ASCII and the Russian/Ukrainian letters; enough for realistic fixtures
const CP1251_EXTRA: Record<number, number> = {
  0x401: 0xa8,
  0x451: 0xb8, // Ё ё
  0x404: 0xaa,
  0x454: 0xba, // Є є
  0x406: 0xb2,
  0x456: 0xb3, // І і
  0x407: 0xaf,
  0x457: 0xbf, // Ї ї
  0x490: 0xa5,
  0x491: 0xb4, // Ґ ґ
  0xab: 0xab,
  0xbb: 0xbb,
  0xa0: 0xa0, // « » nbsp
  0x2013: 0x96,
  0x2014: 0x97,
  0x2116: 0xb9, // – — №
};

function windows1251Byte(code: number): number | null {
  if (code < 0x80) return code;
  if (code >= 0x410 && code <= 0x44f) return code - 0x410 + 0xc0;
  return CP1251_EXTRA[code] ?? null;
}
