/**
 * Integer helpers for tree arithmetic on safe integers (sizes beyond 2^31 rule out the 32-bit bit operators;
 * division by a power of two is exact in floating point, so Math.floor(n / 2 ** k) is a true shift).
 */

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/** Largest k such that 2^k <= n (n >= 1). */
export function floorLog2(n: number): number {
  let k = Math.floor(Math.log2(n));
  // guard against rounding near powers of two
  while (2 ** k > n) k--;
  while (2 ** (k + 1) <= n) k++;
  return k;
}

/** RFC 6962's split point: the largest power of two strictly smaller than n (n >= 2). */
export function splitPoint(n: number): number {
  return 2 ** floorLog2(n - 1);
}

export function shiftRight(n: number, bits: number): number {
  return Math.floor(n / 2 ** bits);
}
