import { webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';

type EngineCrypto = ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'];

/**
 * The pkijs crypto engine, built explicitly from WebCrypto rather than left to pkijs's global guess.
 * Node's `crypto.webcrypto` is the same API as a browser's `globalThis.crypto`: a browser build swaps this file.
 */
export const timestampCrypto = new pkijs.CryptoEngine({
  name: 'webcrypto',
  crypto: webcrypto as unknown as EngineCrypto,
});

export async function digest(algorithm: string, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await webcrypto.subtle.digest(algorithm, data));
}

export function randomBytes(length: number): Uint8Array {
  return webcrypto.getRandomValues(new Uint8Array(length));
}
