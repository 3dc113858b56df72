import { type Writable } from 'node:stream';

/** Reads `length` bytes from `offset`; may return fewer only at the end. */
export type SliceReader = (offset: number, length: number) => Promise<Buffer>;

/**
 * Writes `size` bytes to `out` one slice at a time, reading the next slice only once `out` has taken the
 * previous one ('drain'), so a slow reader holds about one slice in memory, not the whole body. Stops
 * early, without an error, when `out` is closed (the client went away). True when every byte was written.
 */
export async function streamSlices(
  out: Writable,
  size: number,
  read: SliceReader,
  sliceBytes: number,
): Promise<boolean> {
  for (let offset = 0; offset < size;) {
    if (out.destroyed) return false;
    const slice = await read(offset, Math.min(sliceBytes, size - offset));
    // the bytes are immutable (append-only table); a short read means the row is not what the head said
    if (slice.length === 0) throw new Error(`artifact ended at byte ${offset} of ${size}`);
    offset += slice.length;
    if (!out.write(slice) && !(await drained(out))) return false;
  }
  return !out.destroyed;
}

/** Resolves true on 'drain', false when the stream closes or fails first. */
function drained(out: Writable): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (ok: boolean) => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', onClose);
      resolve(ok);
    };
    const onDrain = () => settle(true);
    const onClose = () => settle(false);
    out.on('drain', onDrain);
    out.on('close', onClose);
    out.on('error', onClose);
  });
}
