import { testHttpClient } from '@app/testing/test-http-client';
import { type FakeBluesky, startFakeBluesky } from '@app/testing/fake-bluesky';
import { ErrorCode, SourceError, contentSha256 } from '@app/core';
import { type GuardedHttpClient } from '../http';
import { BlueskyConnector, type BlueskyCursor } from './bluesky-connector';
import { verifyRecordProof } from './record-proof';
import { recordingJsonParsing } from '@app/testing/recording-json-parsing';

describe('BlueskyConnector against a fake AppView, PLC directory and PDS', () => {
  let bsky: FakeBluesky;
  let http: GuardedHttpClient;
  let connector: BlueskyConnector;

  beforeEach(async () => {
    bsky = await startFakeBluesky();
    http = testHttpClient();
    connector = new BlueskyConnector(http, { appViewUrl: bsky.origin, plcUrl: bsky.origin });
    await bsky.addAccount({ handle: 'mfa.gov.example', displayName: 'Ministry of Foreign Affairs' });
  });

  afterEach(async () => {
    await http.close();
    await bsky.close();
  });

  const profile = () => new URL('https://bsky.app/profile/mfa.gov.example');

  it('resolves a handle to its DID through getProfile, and names an unknown one as not found', async () => {
    const account = await connector.resolve(profile());
    expect(account).toEqual({
      platform: 'bluesky',
      handle: 'mfa.gov.example',
      externalId: bsky.account('mfa.gov.example').did,
      displayName: 'Ministry of Foreign Affairs',
      profileUrl: 'https://bsky.app/profile/mfa.gov.example',
      sourceUrl: bsky.origin,
    });
    const error = await connector.resolve(new URL('https://bsky.app/profile/nobody.example')).catch((e) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe(ErrorCode.SourceNotFound);
  });

  it('polls new posts with their verified record proofs, skips reposts, and stops at the first known URI', async () => {
    const account = await connector.resolve(profile());
    const first = await bsky.publish('mfa.gov.example', { text: 'First statement.' });
    await bsky.addAccount({ handle: 'other.example' });
    const theirs = await bsky.publish('other.example', { text: 'Not ours.' });
    bsky.repost('mfa.gov.example', theirs.uri);
    const polled = await connector.poll(account, connector.readCursor({}));
    expect(polled.kind).toBe('posts');
    if (polled.kind !== 'posts') return;
    expect(polled.posts.map((p) => p.content.text)).toEqual(['First statement.']);
    const [post] = polled.posts;
    expect(post.evidenceLevel).toBe('platform-signed');
    expect(post.content).toMatchObject({
      postId: first.uri,
      cid: first.cid,
      language: 'en',
      isRepost: false,
    });
    expect(post.content.url).toBe(`https://bsky.app/profile/${account.externalId}/post/${first.rkey}`);
    const car = post.artifacts.find((a) => a.role === 'record-proof')!;
    const didDoc = post.artifacts.find((a) => a.role === 'did-log')!;
    expect(car.mediaType).toBe('application/vnd.ipld.car');
    expect(JSON.parse(didDoc.bytes.toString()).id).toBe(account.externalId);
    // the kept CAR is a genuine proof, checkable again offline
    const proven = await verifyRecordProof({
      car: car.bytes,
      did: account.externalId,
      signingKey: bsky.account('mfa.gov.example').keypair.did(),
      collection: 'app.bsky.feed.post',
      rkey: first.rkey,
    });
    expect(proven.cid).toBe(first.cid);
    // the response body beside its head, exactly as served
    const feedResponse = bsky.requestLog.find((r) => r.path.startsWith('/xrpc/app.bsky.feed.getAuthorFeed'))!;
    expect(post.artifacts.find((a) => a.role === 'response')!.bytes.equals(feedResponse.response!.body)).toBe(
      true,
    );

    const second = await bsky.publish('mfa.gov.example', { text: 'Second statement.' });
    const next = await connector.poll(account, polled.cursor as BlueskyCursor);
    expect(next.kind === 'posts' && next.posts.map((p) => p.content.postId)).toEqual([second.uri]);
    const idle = await connector.poll(account, next.cursor);
    expect(idle.kind).toBe('unchanged');
  });

  it('asks a short first page once posts are known, and full pages after it when that page is all new', async () => {
    const account = await connector.resolve(profile());
    await bsky.publish('mfa.gov.example', { text: 'Known.' });
    const first = await connector.poll(account, connector.readCursor({}));
    const limits = () =>
      bsky.requestLog
        .filter((r) => r.path.startsWith('/xrpc/app.bsky.feed.getAuthorFeed'))
        .map((r) => r.query.get('limit'));
    expect(limits()).toEqual(['100']);

    const texts = Array.from({ length: 30 }, (_, i) => `Statement ${i + 1}.`);
    for (const text of texts) await bsky.publish('mfa.gov.example', { text });
    const next = await connector.poll(account, first.cursor as BlueskyCursor);
    expect(next.kind === 'posts' && next.posts.map((p) => p.content.text)).toEqual(texts);
    expect(limits()).toEqual(['100', '25', '100']);

    await connector.poll(account, next.cursor);
    expect(limits()).toEqual(['100', '25', '100', '25']);
  });

  it('re-reads with getPosts: an edit is a new CID with a new proof, an omission confirmed by NotFound is a deletion', async () => {
    const account = await connector.resolve(profile());
    const kept = await bsky.publish('mfa.gov.example', { text: 'Will be corrected.' });
    const gone = await bsky.publish('mfa.gov.example', { text: 'Will be deleted.' });
    const polled = await connector.poll(account, {});
    if (polled.kind !== 'posts') throw new Error('expected posts');
    const held = (uri: string) => {
      const content = polled.posts.find((p) => p.content.postId === uri)!.content;
      return { editedAt: null, contentSha256: contentSha256(content) };
    };
    const before = kept.cid;
    await bsky.edit(kept.uri, 'Corrected.');
    await bsky.remove(gone.uri);
    const refs = [kept, gone].map((p) => ({ postId: p.uri, url: 'https://bsky.app/', held: held(p.uri) }));
    const answers = await connector.fetchMany(account, refs);
    expect(answers.map((a) => a.kind)).toEqual(['found', 'not-found']);
    const [edited, deleted] = answers;
    if (edited.kind !== 'found' || deleted.kind !== 'not-found') throw new Error('unexpected answers');
    expect(edited.post.content.cid).not.toBe(before);
    expect(edited.post.content.text).toBe('Corrected.');
    expect(edited.post.evidenceLevel).toBe('platform-signed');
    expect(deleted.httpStatus).toBe(400);
    expect(JSON.parse(deleted.evidence[0].bytes.toString())).toEqual({
      error: 'NotFound',
      message: `Post not found: ${gone.uri}`,
    });
    const getPosts = bsky.requestLog.filter((r) => r.path.startsWith('/xrpc/app.bsky.feed.getPosts'));
    expect(getPosts).toHaveLength(1);
    expect(getPosts[0].query.getAll('uris')).toEqual([kept.uri, gone.uri]);
  });

  it('keeps an unchanged post at its held version without fetching a proof again', async () => {
    const account = await connector.resolve(profile());
    const post = await bsky.publish('mfa.gov.example', { text: 'Unchanged.' });
    const polled = await connector.poll(account, {});
    if (polled.kind !== 'posts') throw new Error('expected posts');
    const proofsBefore = bsky.requestLog.filter((r) => r.path.includes('sync.getRecord')).length;
    const [answer] = await connector.fetchMany(account, [
      {
        postId: post.uri,
        url: '',
        held: { editedAt: null, contentSha256: contentSha256(polled.posts[0].content) },
      },
    ]);
    expect(answer.kind).toBe('found');
    expect(bsky.requestLog.filter((r) => r.path.includes('sync.getRecord')).length).toBe(proofsBefore);
  });

  it('refuses a proof that does not verify, naming the reason, instead of keeping it', async () => {
    const account = await connector.resolve(profile());
    await bsky.publish('mfa.gov.example', { text: 'Proof will be damaged.' });
    bsky.fail({ mode: 'corrupt-car', path: '/xrpc/com.atproto.sync.getRecord', times: 1 });
    const corrupt = await connector.poll(account, {}).catch((e: unknown) => e);
    expect(corrupt).toBeInstanceOf(SourceError);
    expect((corrupt as SourceError).code).toBe(ErrorCode.SourceInvalidResponse);
    expect((corrupt as SourceError).message).toMatch(/does not verify \(block-mismatch\)/);

    bsky.fail({ mode: 'foreign-car', path: '/xrpc/com.atproto.sync.getRecord', times: 1 });
    const foreign = await connector.poll(account, {}).catch((e: unknown) => e);
    expect((foreign as SourceError).message).toMatch(/does not verify \(bad-signature\)/);

    // a genuine proof, but the AppView shows other words under the record's CID
    bsky.fail({ mode: 'tampered-text', path: '/xrpc/app.bsky.feed.getAuthorFeed', times: 1 });
    const tampered = await connector.poll(account, {}).catch((e: unknown) => e);
    expect((tampered as SourceError).message).toMatch(/words or time differ from the signed record's/);
    const honest = await connector.poll(account, {});
    expect(honest.kind === 'posts' && honest.posts[0].content.text).toBe('Proof will be damaged.');
  });

  it('refuses a PLC directory whose operation log contradicts the DID document, and proves without a log it lacks', async () => {
    const account = await connector.resolve(profile());
    await bsky.publish('mfa.gov.example', { text: 'Identity under test.' });
    const logPath = `/${account.externalId}/log/audit`;
    for (const [mode, reason] of [
      [
        'plc-log-other-key',
        /false evidence: the DID document of did:plc:\w+ names signing key .*, its PLC operation log ends at/,
      ],
      ['plc-log-bad-signature', /false evidence: the PLC audit log of did:plc:\w+ does not verify/],
    ] as const) {
      bsky.fail({ mode, path: logPath, times: 1 });
      const refused = await connector.poll(account, {}).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(SourceError);
      expect((refused as SourceError).code).toBe(ErrorCode.SourceInvalidResponse);
      expect((refused as SourceError).message).toMatch(reason);
    }
    // a directory that serves no log: the proof stands on the DID document alone
    bsky.fail({ mode: 'server-error', path: logPath, times: 1 });
    const unlogged = await connector.poll(account, {});
    if (unlogged.kind !== 'posts') throw new Error('expected a post');
    expect(unlogged.posts[0].evidenceLevel).toBe('platform-signed');
    expect(unlogged.posts[0].artifacts.map((a) => a.role)).not.toContain('plc-audit-log');
    const logged = await connector.poll(account, {});
    if (logged.kind !== 'posts') throw new Error('expected a post');
    expect(logged.posts[0].artifacts.map((a) => a.role)).toContain('plc-audit-log');
  });

  it('captures a post as "captured" when the PDS cannot give a proof, and fails a poll on bad JSON', async () => {
    const account = await connector.resolve(profile());
    const post = await bsky.publish('mfa.gov.example', { text: 'Proof unavailable.' });
    bsky.fail({ mode: 'server-error', path: '/xrpc/com.atproto.sync.getRecord', times: 1 });
    const captured = await connector.capture(
      new URL(`https://bsky.app/profile/mfa.gov.example/post/${post.rkey}`),
    );
    expect(captured.posts[0].evidenceLevel).toBe('captured');
    expect(captured.posts[0].artifacts.map((a) => a.role)).toEqual(['response', 'response-head']);

    bsky.fail({ mode: 'bad-json', path: '/xrpc/app.bsky.feed.getAuthorFeed', times: 1 });
    const error = await connector.poll(account, {}).catch((e: unknown) => e);
    expect((error as SourceError).code).toBe(ErrorCode.SourceInvalidResponse);
    expect((error as SourceError).message).toContain('not JSON');
  });

  it('reads every AppView body through the JSON parsing it is given (a thread for big ones, when served)', async () => {
    const { parsing, shapes } = recordingJsonParsing();
    const reading = new BlueskyConnector(http, { appViewUrl: bsky.origin, plcUrl: bsky.origin, parsing });
    const account = await reading.resolve(profile());
    const kept = await bsky.publish('mfa.gov.example', { text: 'Kept.' });
    const gone = await bsky.publish('mfa.gov.example', { text: 'Gone.' });
    expect((await reading.poll(account, {})).kind).toBe('posts');
    await reading.capture(new URL(`https://bsky.app/profile/mfa.gov.example/post/${kept.rkey}`));
    await bsky.remove(gone.uri);
    // getPosts leaves the removed post out; its thread is asked (and answers 400 NotFound, an XRPC error)
    const answers = await reading.fetchMany(account, [
      { postId: kept.uri, url: '' },
      { postId: gone.uri, url: '' },
    ]);
    expect(answers.map((a) => a.kind)).toEqual(['found', 'not-found']);
    expect(shapes).toEqual([
      'bluesky-profile',
      'bluesky-author-feed',
      'bluesky-profile',
      'bluesky-thread',
      'bluesky-posts',
    ]);
  });

  it('passes the rate limit reset (unix seconds) on as the time to come back', async () => {
    const account = await connector.resolve(profile());
    const resetAt = new Date(Math.ceil(Date.now() / 1000 + 120) * 1000);
    bsky.fail({ mode: 'rate-limited', path: '/xrpc/app.bsky.feed.getAuthorFeed', resetAt, times: 1 });
    const error = (await connector.poll(account, {}).catch((e: unknown) => e)) as SourceError;
    expect(error.code).toBe(ErrorCode.SourceRateLimited);
    expect(error.retryAt?.getTime()).toBe(resetAt.getTime());
  });
});
