import { didDocumentUrl } from './bluesky-identity';
import {
  blueskyPostUrl,
  parseBlueskyPostUrl,
  parseBlueskyProfileUrl,
  parsePostUri,
  postUri,
} from './bluesky-urls';
import { identityFromDocument } from './did-document';

const DID = 'did:plc:pjlhgjhb34k4zufrtbh2jyms';

describe('Bluesky URLs', () => {
  it.each([
    ['https://bsky.app/profile/croissanthology.com', 'croissanthology.com'],
    ['https://bsky.app/profile/MFA.Gov.UA/', 'mfa.gov.ua'],
    [`https://bsky.app/profile/${DID}`, DID],
    [`https://www.bsky.app/profile/${encodeURIComponent(DID)}`, DID],
  ])('reads the actor of %s', (url, actor) => {
    expect(parseBlueskyProfileUrl(new URL(url))).toEqual({ actor });
  });

  it.each([
    'https://bsky.app/profile/someone',
    'https://bsky.app/search?q=mfa',
    'https://bsky.app/profile/mfa.gov.ua/post/3lyl2ioyvhs2e',
    'https://user:pw@bsky.app/profile/mfa.gov.ua',
    'https://bsky.social/profile/mfa.gov.ua',
    'https://bsky.app/profile/did:plc:TOOSHORT',
  ])('declines %s as a profile', (url) => {
    expect(parseBlueskyProfileUrl(new URL(url))).toBeNull();
  });

  it('maps a post URL to its at:// URI and back to the page by DID', () => {
    expect(
      parseBlueskyPostUrl(new URL('https://bsky.app/profile/croissanthology.com/post/3lyl2ioyvhs2e')),
    ).toEqual({
      actor: 'croissanthology.com',
      rkey: '3lyl2ioyvhs2e',
    });
    expect(parseBlueskyPostUrl(new URL('https://bsky.app/profile/croissanthology.com/post/..'))).toBeNull();
    const uri = postUri(DID, '3lyl2ioyvhs2e');
    expect(uri).toBe(`at://${DID}/app.bsky.feed.post/3lyl2ioyvhs2e`);
    expect(parsePostUri(uri)).toEqual({ did: DID, rkey: '3lyl2ioyvhs2e' });
    expect(parsePostUri(`at://${DID}/app.bsky.feed.repost/3lyl2ioyvhs2e`)).toBeNull();
    expect(blueskyPostUrl(DID, '3lyl2ioyvhs2e')).toBe(`https://bsky.app/profile/${DID}/post/3lyl2ioyvhs2e`);
  });
});

describe('DID documents', () => {
  it('are read from the PLC directory for did:plc and from the host for did:web', () => {
    expect(didDocumentUrl(DID, 'https://plc.directory/').href).toBe(`https://plc.directory/${DID}`);
    expect(didDocumentUrl('did:web:mfa.example.org', 'https://plc.directory').href).toBe(
      'https://mfa.example.org/.well-known/did.json',
    );
  });

  it('give the PDS and the #atproto signing key, and refuse a document of another DID', () => {
    const doc = {
      id: DID,
      verificationMethod: [
        {
          id: `${DID}#atproto`,
          type: 'Multikey',
          controller: DID,
          publicKeyMultibase: 'zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF',
        },
      ],
      service: [
        { id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://pds.example' },
      ],
    };
    const bytes = Buffer.from(JSON.stringify(doc));
    expect(identityFromDocument(bytes, DID)).toEqual({
      did: DID,
      pds: 'https://pds.example',
      signingKey: 'did:key:zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF',
    });
    expect(() => identityFromDocument(bytes, 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa')).toThrow(/its id differs/);
    expect(() =>
      identityFromDocument(Buffer.from(JSON.stringify({ ...doc, verificationMethod: [] })), DID),
    ).toThrow(/no #atproto signing key/);
    expect(() => identityFromDocument(Buffer.from('<html>'), DID)).toThrow(/not JSON/);
    const deep = `{"id":"${DID}","alsoKnownAs":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(() => identityFromDocument(Buffer.from(deep), DID)).toThrow(/nested too deeply/);
  });
});
