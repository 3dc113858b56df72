/**
 * Many byte strings as ONE binary parameter and where each lies in it. The pg driver sends a `bytea[]` parameter
 * as hex text built on the event loop (twice the bytes, escaped again inside the array's text, and decoded again by
 * PostgreSQL); a Buffer parameter goes as it is. A statement reads part `i` back as
 * `substring($packed FROM offset + 1 FOR length)` over `unnest($offsets::int[], $lengths::int[], …)`.
 */
export interface PackedBytes {
  packed: Buffer;
  offsets: number[];
  lengths: number[];
}

export function packBytes(parts: Buffer[]): PackedBytes {
  const offsets = new Array<number>(parts.length);
  const lengths = new Array<number>(parts.length);
  let total = 0;
  parts.forEach((part, i) => {
    offsets[i] = total;
    lengths[i] = part.length;
    total += part.length;
  });
  return { packed: Buffer.concat(parts, total), offsets, lengths };
}
