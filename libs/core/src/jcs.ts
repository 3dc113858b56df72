import canonicalize from 'canonicalize';

/** A `\uD800`–`\uDFFF` escape not itself escaped: JSON.stringify writes one only for a lone surrogate. */
const ESCAPED_LONE_SURROGATE = /(?:^|[^\\])(?:\\\\)*\\ud[89a-f]/;

/**
 * RFC 8785 (JCS) canonical bytes of a JSON value we built ourselves.
 * Rejects what JCS cannot represent (lone surrogates, non-finite numbers, undefined at the top).
 */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalText(value), 'utf8');
}

/** The same as text: JSON itself, so a caller that stores the value as JSON need not serialise it again. */
export function canonicalText(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('JCS: value has no JSON representation');
  if (ESCAPED_LONE_SURROGATE.test(text)) throw new TypeError('JCS: a string holds a lone surrogate');
  return text;
}
