/** A body as a Buffer again: one sent to a worker thread arrives as a plain Uint8Array (no copy is made). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
