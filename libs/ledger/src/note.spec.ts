import { generateKeyPairSync } from 'node:crypto';
import { fromBase64, toBase64, utf8 } from './bytes';
import { ed25519PrivateKey } from './crypto';
import { LedgerFormatError, NoteVerificationError } from './errors';
import {
  type NoteSigner,
  MAX_NOTE_SIGNATURES,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatSignatureLine,
  noteKeyId,
  openNote,
  parseNote,
  signNote,
} from './note';
import { EXAMPLE_NOTE, EXAMPLE_VKEY, HAVE_VECTORS, readVectorText } from './testdata/vectors';
import { formatVerifierKey, parseVerifierKey } from './verifier-key';

const newSigner = (name: string): NoteSigner =>
  ed25519NoteSigner(name, generateKeyPairSync('ed25519').privateKey);
const verifierOf = (s: NoteSigner) => ed25519NoteVerifier(s.name, s.publicKey);

describe('C2SP signed-note example', () => {
  it('verifies the spec example with its vkey', () => {
    const verifier = parseVerifierKey(EXAMPLE_VKEY);
    expect(verifier.keyId).toBe(0x530d903a);
    const opened = openNote(EXAMPLE_NOTE, [verifier]);
    expect(opened.text).toBe('This is an example message.\n');
    expect(opened.verified).toHaveLength(1);
    expect(opened.verified[0].verifier).toBe(verifier);
    expect(opened.unknown).toHaveLength(0);
    // bytes in, same answer
    expect(openNote(utf8(EXAMPLE_NOTE), [verifier]).text).toBe(opened.text);
  });

  it('round-trips the vkey text', () => {
    expect(formatVerifierKey(parseVerifierKey(EXAMPLE_VKEY))).toBe(EXAMPLE_VKEY);
  });

  it('rejects the example once its text is altered', () => {
    const verifier = parseVerifierKey(EXAMPLE_VKEY);
    expect(() => openNote(EXAMPLE_NOTE.replace('example', 'exemple'), [verifier])).toThrow(
      NoteVerificationError,
    );
  });

  (HAVE_VECTORS ? it : it.skip)('the vector files hold the same example and verify', () => {
    const note = readVectorText('signed-note/example.note');
    const vkey = readVectorText('signed-note/example.vkey').trim();
    expect(note).toBe(EXAMPLE_NOTE);
    expect(vkey).toBe(EXAMPLE_VKEY);
    expect(openNote(note, [parseVerifierKey(vkey)]).verified).toHaveLength(1);
  });
});

describe('signNote / openNote', () => {
  const alice = newSigner('example.org/alice');
  const bob = newSigner('example.org/bob');

  it('signs and opens, with blank lines inside the text', () => {
    const text = 'first\n\nthird after a blank line\n';
    const note = signNote(text, [alice, bob]);
    expect(note.startsWith(`${text}\n\u2014 example.org/alice `)).toBe(true);
    const opened = openNote(note, [verifierOf(alice), verifierOf(bob)]);
    expect(opened.text).toBe(text);
    expect(opened.verified.map((v) => v.name)).toEqual(['example.org/alice', 'example.org/bob']);
  });

  it('ignores unknown keys, including ones sharing only the name or only the key ID', () => {
    const note = signNote('hello\n', [alice, bob]);
    const sameNameOtherKey = newSigner('example.org/bob');
    const opened = openNote(note, [verifierOf(alice), verifierOf(sameNameOtherKey)]);
    expect(opened.verified.map((v) => v.name)).toEqual(['example.org/alice']);
    expect(opened.unknown.map((s) => s.name)).toEqual(['example.org/bob']);

    // a line claiming alice's key ID under another name is not alice's
    const [bobLine] = note.split('\n').filter((l) => l.includes('/bob '));
    const forged = bobLine.replace('example.org/bob', 'example.org/mallory');
    const withForged =
      `hello\n\n${forged}\n` + formatSignatureLine(alice.name, alice.keyId, alice.sign(utf8('hello\n')));
    expect(openNote(withForged, [verifierOf(alice)]).unknown).toHaveLength(1);
  });

  it('rejects a bad signature from a known key, even next to a good one', () => {
    const good = signNote('hello\n', alice);
    const bad = formatSignatureLine(bob.name, bob.keyId, bob.sign(utf8('something else\n')));
    expect(() => openNote(good + bad, [verifierOf(alice), verifierOf(bob)])).toThrow(
      /example.org\/bob.*does not verify/,
    );
    expect(openNote(good + bad, [verifierOf(alice)]).verified).toHaveLength(1);
  });

  it('rejects a note with no signature from a known key', () => {
    const note = signNote('hello\n', alice);
    expect(() => openNote(note, [verifierOf(bob)])).toThrow(NoteVerificationError);
    expect(() => openNote(note, [])).toThrow(/no signature from a known key/);
  });

  it('accepts many signatures (at least 16) and refuses absurd counts', () => {
    const signers = Array.from({ length: 20 }, (_, i) => newSigner(`w${i}.example`));
    const note = signNote('checkpoint\n', signers);
    expect(openNote(note, signers.map(verifierOf)).verified).toHaveLength(20);
    const line = formatSignatureLine('x.example', 1, new Uint8Array(64));
    const tooMany = signNote('t\n', alice) + line.repeat(MAX_NOTE_SIGNATURES);
    expect(() => parseNote(tooMany)).toThrow(LedgerFormatError);
  });

  it('signNote refuses text that is not a note text', () => {
    expect(() => signNote('no newline', alice)).toThrow(LedgerFormatError);
    expect(() => signNote('tab\there\n', alice)).toThrow(/control character/);
    expect(() => signNote('ok\n', [])).toThrow(LedgerFormatError);
  });

  const sig = formatSignatureLine('k.example', 7, new Uint8Array(64).fill(1));
  it.each([
    ['no final newline', `text\n\n${sig.slice(0, -1)}`],
    ['no blank line', `text\n${sig}`],
    ['no signatures', 'text\n\n'],
    ['an empty signature line', `text\n\n${sig}\n`],
    ['a hyphen instead of an em dash', `text\n\n${sig.replace('\u2014', '-')}`],
    ['no space after the name', `text\n\n\u2014 k.example\n`],
    ['a name with a plus', `text\n\n${sig.replace('k.example', 'k+example')}`],
    ['invalid base64', `text\n\n\u2014 k.example !${sig.split(' ')[2]}`],
    ['two spaces after the name', `text\n\n\u2014 k.example  ${sig.split(' ')[2]}`],
    ['non-canonical base64', `text\n\n\u2014 k.example ${'AAAAAAB='}\n`],
    ['a signature shorter than a key ID', `text\n\n\u2014 k.example ${toBase64(new Uint8Array(4))}\n`],
    ['a carriage return', `text\r\n\n${sig}`],
    ['a control character', `te\u0007xt\n\n${sig}`],
    ['a lone surrogate', `te\ud800xt\n\n${sig}`],
  ])('parseNote rejects a note with %s', (_what, note) => {
    expect(() => parseNote(note)).toThrow(LedgerFormatError);
  });

  it('rejects invalid UTF-8 bytes', () => {
    const bytes = utf8(signNote('hello\n', alice));
    bytes[1] = 0xff;
    expect(() => parseNote(bytes)).toThrow(/UTF-8/);
  });
});

describe('verifier keys', () => {
  const alice = newSigner('example.org/alice');

  it('formats and parses our own keys; key ID is SHA-256(name, LF, type, key)[:4]', () => {
    const vkey = formatVerifierKey(alice);
    expect(vkey).toMatch(/^example\.org\/alice\+[0-9a-f]{8}\+/);
    expect(fromBase64(vkey.split('+').slice(2).join('+'))).toEqual(
      new Uint8Array([0x01, ...alice.publicKey]),
    );
    const parsed = parseVerifierKey(vkey);
    expect(parsed.keyId).toBe(alice.keyId);
    expect(parsed.keyId).toBe(noteKeyId(alice.name, 0x01, alice.publicKey));
    expect(openNote(signNote('x\n', alice), [parsed]).verified).toHaveLength(1);
  });

  it('parses keys whose base64 contains "+"', () => {
    for (let seed = 0; seed < 64; seed++) {
      const pkcs8 = Buffer.concat([
        Buffer.from('302e020100300506032b657004220420', 'hex'),
        Buffer.alloc(32, seed),
      ]);
      const signer = ed25519NoteSigner('example.org/plus', ed25519PrivateKey(pkcs8));
      const vkey = formatVerifierKey(signer);
      if (!vkey.split('+').slice(2).join('+').includes('+')) continue;
      expect(parseVerifierKey(vkey).keyId).toBe(signer.keyId);
      return;
    }
    throw new Error('no test key with "+" in its base64 found');
  });

  it.each([
    ['two parts', 'example.com/foo+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k'],
    ['a wrong key ID', EXAMPLE_VKEY.replace('530d903a', '530d903b')],
    ['a short key ID', EXAMPLE_VKEY.replace('530d903a', '530d903')],
    ['a different name', EXAMPLE_VKEY.replace('example.com/foo', 'example.com/bar')],
    ['an unknown type', `n+00000000+${toBase64(new Uint8Array([0x09, ...new Uint8Array(32)]))}`],
    [
      'a truncated key',
      `n+00000000+${toBase64(fromBase64('AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k').slice(0, 30))}`,
    ],
    ['bad base64', 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2'],
  ])('parseVerifierKey rejects %s', (_what, vkey) => {
    expect(() => parseVerifierKey(vkey)).toThrow(LedgerFormatError);
  });
});
