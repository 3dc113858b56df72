import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JCS) canonical bytes of a JSON value we built ourselves.
 * Rejects what JCS cannot represent (lone surrogates, non-finite numbers, undefined at the top).
 */
export function canonicalBytes(value: unknown): Buffer {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('JCS: value has no JSON representation');
  return Buffer.from(text, 'utf8');
}
