import { createHash, generateKeyPairSync, sign, webcrypto } from 'node:crypto';
import { fromBase64, toBase64, utf8 } from './bytes';
import * as nodeCrypto from './crypto';
import {
  type Ed25519Subtle,
  browserVerificationCrypto,
  ed25519AsyncVerifier,
  ed25519Engine,
  ed25519Verifier,
  sha256,
} from './crypto.browser';
import { type EvidenceBundle } from './evidence/bundle';
import { buildSampleLog, type SampleLog } from './evidence/sample-bundle.fixture';
import type * as VerifyBundleModule from './evidence/verify-bundle';
import type * as MerkleModule from './merkle';
import { parseNote } from './note';
import {
  EXAMPLE_NOTE,
  EXAMPLE_VKEY,
  HAVE_VECTORS,
  RFC6962_LEAVES,
  inclusionVectors,
  readVectorText,
} from './testdata/vectors';

const nodeSubtle = webcrypto.subtle as unknown as Ed25519Subtle;

/** The C2SP example: the signed text, its 64-byte signature and the raw public key. */
function example(): { text: Uint8Array; signature: Uint8Array; publicKey: Uint8Array } {
  const note = parseNote(EXAMPLE_NOTE);
  return {
    text: utf8(note.text),
    signature: note.signatures[0].signature,
    publicKey: fromBase64(EXAMPLE_VKEY.split('+')[2]).subarray(1),
  };
}

/** A browser whose WebCrypto knows no Ed25519 (as Safari and Chrome did before 2025): any use is a failure. */
const subtleWithoutEd25519: Ed25519Subtle = {
  importKey: () => Promise.reject(new DOMException('Unrecognized algorithm name', 'NotSupportedError')),
  verify: () => Promise.reject(new Error('verify must not be reached when the key could not be imported')),
};

/** The node:crypto WebCrypto, counting the Ed25519 verifications it makes. */
function countingSubtle(): { subtle: Ed25519Subtle; verifications: () => number } {
  let count = 0;
  return {
    subtle: {
      importKey: (...args) => nodeSubtle.importKey(...args),
      verify: (...args) => {
        count++;
        return nodeSubtle.verify(...args);
      },
    },
    verifications: () => count,
  };
}

/** The Ed25519 group order L, little-endian: adding it to S gives the non-canonical twin of a signature. */
function withNonCanonicalS(signature: Uint8Array): Uint8Array {
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(signature[i]);
  s += L;
  const out = Uint8Array.from(signature);
  for (let i = 32; i < 64; i++, s >>= 8n) out[i] = Number(s & 0xffn);
  return out;
}

describe('the browser crypto of the ledger (crypto.browser.ts)', () => {
  it('hashes like node:crypto, known answers included', () => {
    expect(Buffer.from(sha256()).toString('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(Buffer.from(sha256(utf8('a'), utf8('bc'))).toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    for (const leaf of RFC6962_LEAVES) {
      const expected = createHash('sha256')
        .update(new Uint8Array([0]))
        .update(leaf)
        .digest('hex');
      expect(Buffer.from(sha256(new Uint8Array([0]), leaf)).toString('hex')).toBe(expected);
      expect(sha256(leaf)).toEqual(nodeCrypto.sha256(leaf));
    }
  });

  it('verifies the C2SP example through WebCrypto when WebCrypto has Ed25519', async () => {
    const { text, signature, publicKey } = example();
    const { subtle, verifications } = countingSubtle();
    const verify = ed25519AsyncVerifier(publicKey, subtle);
    expect(await verify(text, signature)).toBe(true);
    expect(await verify(utf8('This is an altered message.\n'), signature)).toBe(false);
    expect(verifications()).toBe(2);
    expect(await ed25519Engine(nodeSubtle)).toBe('WebCrypto');
  });

  it.each([
    ['WebCrypto has no Ed25519', subtleWithoutEd25519],
    ['there is no WebCrypto (no secure context)', null],
  ])(
    'falls back to @noble/curves when %s, accepting and rejecting the same signatures',
    async (_, subtle) => {
      const { text, signature, publicKey } = example();
      const verify = ed25519AsyncVerifier(publicKey, subtle);
      expect(await verify(text, signature)).toBe(true);
      const flipped = Uint8Array.from(signature);
      flipped[10] ^= 0x01;
      expect(await verify(text, flipped)).toBe(false);
      expect(await verify(utf8('This is an exemple message.\n'), signature)).toBe(false);
      expect(await verify(text, signature.subarray(0, 63))).toBe(false);
      expect(await ed25519Engine(subtle)).toBe('@noble/curves');
    },
  );

  (HAVE_VECTORS ? it : it.skip)('verifies the signed-note vector files with the fallback alone', async () => {
    const note = parseNote(readVectorText('signed-note/example.note'));
    const vkey = readVectorText('signed-note/example.vkey').trim();
    const verify = ed25519AsyncVerifier(fromBase64(vkey.split('+')[2]).subarray(1), subtleWithoutEd25519);
    expect(await verify(utf8(note.text), note.signatures[0].signature)).toBe(true);
    expect(await verify(utf8(note.text.toUpperCase()), note.signatures[0].signature)).toBe(false);
  });

  it('judges signatures as node:crypto does, strict RFC 8032 rules included', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = fromBase64(
      toBase64(Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url')),
    );
    const message = utf8('checkpoint body\n');
    const good = new Uint8Array(sign(null, message, privateKey));
    const nonCanonical = withNonCanonicalS(good);
    const node = nodeCrypto.ed25519Verifier(raw);
    for (const [signature, expected] of [
      [good, true],
      [nonCanonical, false],
      [new Uint8Array(64), false],
    ] as const) {
      expect(node(message, signature)).toBe(expected);
      expect(ed25519Verifier(raw)(message, signature)).toBe(expected);
      expect(await ed25519AsyncVerifier(raw, null)(message, signature)).toBe(expected);
      expect(await ed25519AsyncVerifier(raw, nodeSubtle)(message, signature)).toBe(expected);
    }
    expect(() => browserVerificationCrypto.ed25519Verifier(raw.subarray(1))).toThrow(/32 bytes/);
  });

  it('refuses what OpenSSL lets through on a degenerate key: the identity point signing anything', async () => {
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const signature = new Uint8Array(64); // R = identity, S = 0: [0]B = R + [k]identity for every message
    signature[0] = 1;
    const message = utf8('any message\n');
    expect(nodeCrypto.ed25519Verifier(identity)(message, signature)).toBe(true); // the known difference
    expect(ed25519Verifier(identity)(message, signature)).toBe(false);
    expect(await ed25519AsyncVerifier(identity, null)(message, signature)).toBe(false);
  });
});

/**
 * The modules of the ledger loaded the way the browser bundle has them (scripts/build.mjs): crypto.ts
 * resolved to crypto.browser.ts, everything else unchanged.
 */
function loadWithBrowserCrypto<T>(path: string): T {
  let loaded: T | undefined;
  jest.isolateModules(() => {
    jest.doMock('./crypto', () => jest.requireActual('./crypto.browser'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(path) as T;
  });
  return loaded as T;
}

/** Runs `body` in a page without WebCrypto (plain http from another host): the verifier must fall back. */
async function withoutWebCrypto<T>(body: () => Promise<T>): Promise<T> {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
  Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true });
  try {
    return await body();
  } finally {
    if (descriptor) Object.defineProperty(globalThis, 'crypto', descriptor);
  }
}

describe('the evidence verifier on the browser crypto', () => {
  let sample: SampleLog;
  let browser: typeof VerifyBundleModule;
  let node: typeof VerifyBundleModule;

  beforeAll(async () => {
    sample = await buildSampleLog();
    browser = loadWithBrowserCrypto<typeof VerifyBundleModule>('./evidence/verify-bundle');
    node = jest.requireActual<typeof VerifyBundleModule>('./evidence/verify-bundle');
    expect(browser.verifyEvidenceBundle).not.toBe(node.verifyEvidenceBundle);
  });

  /** One signature on the checkpoint swapped for one by another key under the same name and key ID. */
  function signedByAnotherKey(bundle: EvidenceBundle): EvidenceBundle {
    const parsed = parseNote(bundle.checkpoint);
    const forged = new Uint8Array(sign(null, utf8(parsed.text), generateKeyPairSync('ed25519').privateKey));
    const [logLine, ...rest] = bundle.checkpoint.slice(parsed.text.length + 1).split('\n');
    const [dash, name, b64] = logLine.split(' ');
    const keyId = fromBase64(b64).subarray(0, 4);
    const line = `${dash} ${name} ${toBase64(Uint8Array.from([...keyId, ...forged]))}`;
    return { ...bundle, checkpoint: `${parsed.text}\n${[line, ...rest].join('\n')}` };
  }

  function cases(): [string, EvidenceBundle][] {
    const { bundle } = sample;
    const proof = fromBase64(bundle.inclusionProof[0]);
    proof[0] ^= 0x01;
    return [
      ['intact', bundle],
      ['record', { ...bundle, record: { ...bundle.record, text: 'Ukraine has submitted its applicatiom' } }],
      ['proof', { ...bundle, inclusionProof: [toBase64(proof), ...bundle.inclusionProof.slice(1)] }],
      ['signature', signedByAnotherKey(bundle)],
    ];
  }

  it('reports exactly what the CLI verifier (node:crypto) reports, with WebCrypto and without it', async () => {
    const options = { logKey: sample.logKey, witnessKeys: [sample.witnessKey] };
    const failed: Record<string, string | undefined> = {};
    for (const [name, bundle] of cases()) {
      const expected = await node.verifyEvidenceBundle(bundle, options);
      const withWebCrypto = await browser.verifyEvidenceBundle(bundle, options);
      const withNoble = await withoutWebCrypto(() => browser.verifyEvidenceBundle(bundle, options));
      expect(withWebCrypto).toEqual(expected);
      expect(withNoble).toEqual(expected);
      failed[name] = expected.failedCheck;
    }
    expect(failed).toEqual({
      intact: undefined,
      record: 'record-hash',
      proof: 'inclusion-proof',
      signature: 'checkpoint-signature',
    });
  });

  (HAVE_VECTORS ? it : it.skip)('checks the RFC 9162 inclusion vectors like the node build', () => {
    const merkle = loadWithBrowserCrypto<typeof MerkleModule>('./merkle');
    const vectors = inclusionVectors();
    expect(vectors.length).toBeGreaterThan(0);
    for (const v of vectors) {
      const run = () => merkle.verifyInclusion(v.leafHash, v.leafIdx, v.treeSize, v.proof, v.root);
      if (v.wantErr) expect(run).toThrow();
      else expect(run).not.toThrow();
    }
  });
});
