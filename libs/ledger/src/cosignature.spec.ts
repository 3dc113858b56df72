import { generateKeyPairSync, verify } from 'node:crypto';
import { fromBase64, readUint64BE, toBase64, utf8 } from './bytes';
import { formatCheckpoint } from './checkpoint';
import { cosign, cosignatureMessage, ed25519CosignatureVerifier, ed25519Cosigner } from './cosignature';
import { NoteVerificationError } from './errors';
import { leafHash } from './merkle';
import { ed25519NoteSigner, ed25519NoteVerifier, noteKeyId, openNote, parseNote, signNote } from './note';
import { formatVerifierKey, parseVerifierKey } from './verifier-key';

const body = formatCheckpoint({ origin: 'example.org/log', size: 42, rootHash: leafHash(utf8('root')) });
const logKey = generateKeyPairSync('ed25519');
const witnessKey = generateKeyPairSync('ed25519');
const log = ed25519NoteSigner('example.org/log', logKey.privateKey);
const witness = ed25519Cosigner('witness.example/w1', witnessKey.privateKey);
const logVerifier = ed25519NoteVerifier(log.name, log.publicKey);
const witnessVerifier = ed25519CosignatureVerifier(witness.name, witness.publicKey);

describe('tlog-cosignature/v1', () => {
  it('signs "cosignature/v1\\ntime <t>\\n" + body, as u64 time || Ed25519 signature', () => {
    const line = cosign(body, witness, 1679315147);
    expect(line.startsWith('\u2014 witness.example/w1 ')).toBe(true);
    expect(line.endsWith('\n')).toBe(true);
    const bytes = fromBase64(line.trim().split(' ')[2]);
    expect(bytes).toHaveLength(4 + 8 + 64);
    expect(readUint64BE(bytes, 4)).toBe(1679315147n);
    // independent check with node:crypto over the message spelled out by hand
    const message = Buffer.from(`cosignature/v1\ntime 1679315147\n${body}`, 'utf8');
    expect(Buffer.from(cosignatureMessage(utf8(body), 1679315147))).toEqual(message);
    expect(verify(null, message, witnessKey.publicKey, bytes.subarray(12))).toBe(true);
  });

  it('uses key type 0x04 in the key ID and the vkey', () => {
    expect(witness.keyId).toBe(noteKeyId(witness.name, 0x04, witness.publicKey));
    expect(witness.keyId).not.toBe(noteKeyId(witness.name, 0x01, witness.publicKey));
    const vkey = formatVerifierKey(witness);
    expect(fromBase64(vkey.split('+').slice(2).join('+'))[0]).toBe(0x04);
    const parsed = parseVerifierKey(vkey);
    expect(parsed.type).toBe(0x04);
    expect(parsed.keyId).toBe(witness.keyId);
  });

  it('opens a checkpoint carrying the log signature and a cosignature, reporting the time', () => {
    const note = signNote(body, log) + cosign(body, witness, 1700000000);
    const opened = openNote(note, [logVerifier, parseVerifierKey(formatVerifierKey(witness))]);
    expect(opened.verified).toHaveLength(2);
    expect(opened.verified[0].timestamp).toBeUndefined();
    expect(opened.verified[1]).toMatchObject({ name: 'witness.example/w1', timestamp: 1700000000 });
  });

  it('a cosignature is not a plain note signature, and the time is bound', () => {
    const line = cosign(body, witness, 1700000000);
    // the same key configured as a 0x01 note key has another key ID: the line is simply unknown
    const asNoteKey = ed25519NoteVerifier(witness.name, witness.publicKey);
    expect(() => openNote(`${body}\n${line}`, [asNoteKey])).toThrow(/no signature from a known key/);
    // move the timestamp: the signature no longer verifies
    const bytes = fromBase64(line.trim().split(' ')[2]);
    bytes[11] ^= 1;
    const tampered = `${body}\n\u2014 ${witness.name} ${toBase64(bytes)}\n`;
    expect(() => openNote(tampered, [witnessVerifier])).toThrow(NoteVerificationError);
    // a different checkpoint body
    const other = formatCheckpoint({ origin: 'example.org/log', size: 43, rootHash: leafHash(utf8('root')) });
    expect(() => openNote(`${other}\n${line}`, [witnessVerifier])).toThrow(NoteVerificationError);
  });

  it('reads the time layout of the spec example line', () => {
    const note = parseNote(
      'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n' +
        '\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n',
    );
    expect(note.signatures[0].signature).toHaveLength(72);
    expect(readUint64BE(note.signatures[0].signature)).toBe(1679315147n);
  });

  it('refuses times that are not POSIX second counts', () => {
    expect(() => cosign(body, witness, -1)).toThrow(RangeError);
    expect(() => cosign(body, witness, 1.5)).toThrow(RangeError);
  });
});
