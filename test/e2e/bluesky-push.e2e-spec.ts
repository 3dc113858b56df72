import { BlueskyPushService } from '@app/worker/push/bluesky-push.service';
import { createTestEnvironment, type TestEnvironment } from '@app/testing/test-environment';
import { type FakeBluesky, startFakeBluesky } from '@app/testing/fake-bluesky';
import { type FakeJetstream, postCommitEvent, startFakeJetstream } from '@app/testing/fake-jetstream';
import { startTestApp, waitFor, type TestApp } from './support/app';

/**
 * Bluesky's push path: a fake Jetstream tells the worker that a tracked account posted or deleted, and the
 * archive reads it at once, although the account's poll interval (an hour) and recheck schedule (an hour)
 * would have found it only much later. What is captured still comes from the AppView and the signed record.
 */
describe('Bluesky push (Jetstream)', () => {
  let env: TestEnvironment;
  let bsky: FakeBluesky;
  let jetstream: FakeJetstream;
  let app: TestApp;
  let did: string;

  const statementOf = async (uri: string) => {
    const [row]: { id: string; status: string }[] = await app.db.query(
      `SELECT id, status FROM statements WHERE external_id = $1`,
      [uri],
    );
    return row;
  };
  const polls = async () => {
    const [row]: { n: string }[] = await app.db.query(
      `SELECT coalesce(sum(polls), 0) AS n FROM capture_runs WHERE account_id = (SELECT id FROM accounts WHERE external_id = $1)`,
      [did],
    );
    return Number(row.n);
  };

  beforeAll(async () => {
    env = await createTestEnvironment();
    bsky = await startFakeBluesky();
    jetstream = await startFakeJetstream();
    did = (await bsky.addAccount({ handle: 'mfa.gov.example' })).did;
    await bsky.publish('mfa.gov.example', { text: 'Before tracking.' });
    app = await startTestApp(
      env.config({
        VERBATIM_BLUESKY_APPVIEW_URL: bsky.origin,
        VERBATIM_PLC_URL: bsky.origin,
        VERBATIM_BLUESKY_JETSTREAM_URL: jetstream.url,
        VERBATIM_RECHECK_MIN_SECONDS: '3600',
        VERBATIM_RECHECK_MAX_SECONDS: '3600',
        VERBATIM_DELETION_CONFIRM_SECONDS: '1',
      }),
    );
    await app
      .write('post', '/api/v1/accounts')
      .send({ url: 'https://bsky.app/profile/mfa.gov.example', pollIntervalSeconds: 3600 })
      .expect(201);
    await app.app.get(BlueskyPushService).refreshNow();
    await waitFor('the subscription', async () =>
      jetstream.subscribers.some((s) => s.wantedDids?.includes(did)) ? true : undefined,
    );
    await waitFor('the first poll', async () => ((await polls()) >= 1 ? true : undefined));
  });

  afterAll(async () => {
    await app?.close();
    await jetstream?.close();
    await bsky?.close();
    await env?.destroy();
  });

  it('subscribes to the tracked DIDs only, for posts', () => {
    const subscriber = jetstream.subscribers.find((s) => s.wantedDids !== null)!;
    expect(subscriber.wantedDids).toEqual([did]);
    expect(subscriber.wantedCollections).toEqual(['app.bsky.feed.post']);
  });

  it('captures a new post as soon as Jetstream announces it, from the AppView and the signed record', async () => {
    const post = await bsky.publish('mfa.gov.example', { text: 'Announced through the firehose.' });
    expect(
      jetstream.emit(postCommitEvent(did, post.rkey, 'create', { record: post.record, cid: post.cid })),
    ).toBe(1);
    const statement = await waitFor('the pushed post', () => statementOf(post.uri));
    const version = (await app.http().get(`/api/v1/statements/${statement.id}`).expect(200)).body as {
      versions: { text: string; evidenceLevel: string }[];
    };
    expect(version.versions[0]).toMatchObject({
      text: 'Announced through the firehose.',
      evidenceLevel: 'platform-signed',
    });
  });

  it('rechecks a post as soon as Jetstream announces its deletion, an hour before its scheduled recheck', async () => {
    const post = await bsky.publish('mfa.gov.example', { text: 'To be deleted.' });
    jetstream.emit(postCommitEvent(did, post.rkey, 'create', { record: post.record, cid: post.cid }));
    await waitFor('the post', () => statementOf(post.uri));
    await bsky.remove(post.uri);
    jetstream.emit(postCommitEvent(did, post.rkey, 'delete'));
    // missing at once; the deletion is confirmed by a second read after VERBATIM_DELETION_CONFIRM_SECONDS and no
    // sooner than the recheck minimum, as for any deletion (a push is a reason to read, not evidence)
    const missing = await waitFor('the post found missing', async () => {
      const statement = await statementOf(post.uri);
      return statement.status === 'missing' ? statement : undefined;
    });
    const view = (await app.http().get(`/api/v1/statements/${missing.id}`).expect(200)).body as {
      observations: { status: string; httpStatus: number | null }[];
    };
    expect(view.observations).toContainEqual(expect.objectContaining({ status: 'missing' }));
  });

  it('takes nothing from a push but a reason to read: a forged event for a post that does not exist captures nothing', async () => {
    const before = await polls();
    jetstream.emit(
      postCommitEvent(did, '3zzzzzzzzzzzz', 'create', { record: { text: 'Forged.' }, cid: 'bafyforged' }),
    );
    await waitFor('the pushed poll', async () => ((await polls()) > before ? true : undefined));
    expect(await statementOf(`at://${did}/app.bsky.feed.post/3zzzzzzzzzzzz`)).toBeUndefined();
  });

  it('reads past garbage and an oversized message, reconnects, and the API keeps answering', async () => {
    for (let i = 0; i < 100; i++) jetstream.sendRaw('{"kind":"commit"');
    jetstream.sendRaw('x'.repeat(2 * 1024 * 1024));
    await waitFor('a new connection', async () =>
      jetstream.subscribers.filter((s) => s.socket.readyState === s.socket.OPEN && s.wantedDids !== null)
        .length === 1 && jetstream.subscribers.length >= 2
        ? true
        : undefined,
    );
    await app.http().get('/health').expect(200);
    const metrics = (await app.http().get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/verbatim_push_events_total\{source="jetstream",kind="malformed"\} [1-9]/);
    expect(metrics).toMatch(/verbatim_push_connected\{source="jetstream"\} 1/);
    const post = await bsky.publish('mfa.gov.example', { text: 'After the storm.' });
    jetstream.emit(postCommitEvent(did, post.rkey, 'create', { record: post.record, cid: post.cid }));
    await waitFor('the post after reconnecting', () => statementOf(post.uri));
  });
});
