import { Secp256k1Keypair } from '@atproto/crypto';
import { type JsonObject, type PlatformProofInput } from '@app/ledger';
import { testHttpClient } from '@app/testing/test-http-client';
import { type FakeBluesky, startFakeBluesky } from '@app/testing/fake-bluesky';
import { type GuardedHttpClient } from '../http';
import { BlueskyConnector } from './bluesky-connector';
import { checkBlueskyRecordProof } from './bundle-proof';

describe('checkBlueskyRecordProof (the offline check verbatim verify runs on a bundle)', () => {
  let bsky: FakeBluesky;
  let http: GuardedHttpClient;
  let input: PlatformProofInput;

  beforeAll(async () => {
    bsky = await startFakeBluesky();
    http = testHttpClient();
    await bsky.addAccount({ handle: 'mfa.gov.example' });
    await bsky.publish('mfa.gov.example', { text: 'A statement to prove offline.' });
    const connector = new BlueskyConnector(http, { appViewUrl: bsky.origin, plcUrl: bsky.origin });
    const account = await connector.resolve(new URL('https://bsky.app/profile/mfa.gov.example'));
    const polled = await connector.poll(account, {});
    if (polled.kind !== 'posts') throw new Error('expected a post');
    const [post] = polled.posts;
    input = { record: post.content as unknown as JsonObject, artifacts: post.artifacts };
  });

  afterAll(async () => {
    await http.close();
    await bsky.close();
  });

  const withArtifact = (role: string, change: (bytes: Buffer) => Buffer): PlatformProofInput => ({
    ...input,
    artifacts: input.artifacts.map((a) =>
      a.role === role ? { ...a, bytes: change(Buffer.from(a.bytes)) } : a,
    ),
  });

  it('verifies the kept CAR against the kept DID document, certified by the kept PLC log, and the record', async () => {
    expect(input.artifacts.map((a) => a.role)).toEqual(
      expect.arrayContaining(['record-proof', 'did-log', 'plc-audit-log']),
    );
    const result = await checkBlueskyRecordProof(input);
    expect(result?.detail).toContain(`signed by ${bsky.account('mfa.gov.example').keypair.did()}`);
    expect(result?.detail).toContain('confirmed by its PLC operation log (1 signed operations');
    expect(result?.proven).toBe(
      `${bsky.account('mfa.gov.example').did} signed this record (CID ${String(input.record.cid)}): its words and ` +
        "time are the account's own, verified against the signing key of the DID document kept at capture, which " +
        "the DID's own operation log confirms.",
    );
  });

  it('says the key, not the account, signed the record when the PLC operation log was not kept', async () => {
    const withoutLog = { ...input, artifacts: input.artifacts.filter((a) => a.role !== 'plc-audit-log') };
    const { did, keypair } = bsky.account('mfa.gov.example');
    const result = await checkBlueskyRecordProof(withoutLog);
    expect(result?.proven).toMatch(new RegExp(`^The key ${keypair.did()} signed this record`));
    expect(result?.proven).toContain(
      `That this key is ${did}'s rests on the DID document as the archive kept it (its PLC operation log was not kept)`,
    );
  });

  it('fails when the DID document names another key than its PLC operation log, naming identity-mismatch', async () => {
    const other = await Secp256k1Keypair.create();
    const swapped = withArtifact('did-log', (bytes) => {
      const doc = JSON.parse(bytes.toString()) as { verificationMethod: { publicKeyMultibase: string }[] };
      doc.verificationMethod[0].publicKeyMultibase = other.did().replace('did:key:', '');
      return Buffer.from(JSON.stringify(doc));
    });
    await expect(checkBlueskyRecordProof(swapped)).rejects.toThrow(
      /^identity-mismatch: the DID document of did:plc:\w+ names signing key did:key:\w+, its PLC operation log ends at/,
    );
  });

  it('fails when the PLC log was rewritten, naming identity-mismatch', async () => {
    const rewritten = withArtifact('plc-audit-log', (bytes) => {
      const log = JSON.parse(bytes.toString()) as { operation: { alsoKnownAs: string[] } }[];
      log[0].operation.alsoKnownAs = ['at://someone-else.example'];
      return Buffer.from(JSON.stringify(log));
    });
    await expect(checkBlueskyRecordProof(rewritten)).rejects.toThrow(
      /^identity-mismatch: the PLC audit log of did:plc:\w+ does not verify/,
    );
  });

  it('fails on a CAR with one flipped byte, naming block-mismatch', async () => {
    const flipped = withArtifact('record-proof', (bytes) => {
      const at = bytes.lastIndexOf(Buffer.from('A statement to prove offline.'));
      bytes[at + 2] ^= 0x01;
      return bytes;
    });
    await expect(checkBlueskyRecordProof(flipped)).rejects.toThrow(
      /^block-mismatch: .*does not match its CID/,
    );
  });

  it('fails when the DID document (kept without its log) names another key, naming bad-signature', async () => {
    const other = await Secp256k1Keypair.create();
    const swapped = withArtifact('did-log', (bytes) => {
      const doc = JSON.parse(bytes.toString()) as { verificationMethod: { publicKeyMultibase: string }[] };
      doc.verificationMethod[0].publicKeyMultibase = other.did().replace('did:key:', '');
      return Buffer.from(JSON.stringify(doc));
    });
    const withoutLog = { ...swapped, artifacts: swapped.artifacts.filter((a) => a.role !== 'plc-audit-log') };
    await expect(checkBlueskyRecordProof(withoutLog)).rejects.toThrow(/^bad-signature: .*does not verify/);
  });

  it('fails when the captured record says other words than the signed one, or names another CID', async () => {
    await expect(
      checkBlueskyRecordProof({ ...input, record: { ...input.record, text: 'Other words.' } }),
    ).rejects.toThrow(/^content-mismatch: the signed record's text differs/);
    await expect(
      checkBlueskyRecordProof({
        ...input,
        record: { ...input.record, cid: 'bafyreie36hv3vh74dqr7zvswes4ascrqfwd7nrr3tytck5ypyd5d2a5dge' },
      }),
    ).rejects.toThrow(/^cid-mismatch:/);
  });

  it('answers null for another platform, and fails when the DID document is missing', async () => {
    expect(
      await checkBlueskyRecordProof({ ...input, record: { ...input.record, platform: 'x' } }),
    ).toBeNull();
    await expect(
      checkBlueskyRecordProof({ ...input, artifacts: input.artifacts.filter((a) => a.role !== 'did-log') }),
    ).rejects.toThrow(/DID document is not included/);
  });
});
