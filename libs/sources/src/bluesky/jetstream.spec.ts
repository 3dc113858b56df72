import { type FakeJetstream, postCommitEvent, startFakeJetstream } from '@app/testing/fake-jetstream';
import { JetstreamClient } from './jetstream-client';
import { type JetstreamSignal, jetstreamOptions, readJetstreamMessage } from './jetstream-messages';

const DID = 'did:plc:pjlhgjhb34k4zufrtbh2jyms';
const OTHER = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';

// As Jetstream sends them (github.com/bluesky-social/jetstream README: commit, identity and account events).
const CREATE = `{"did":"${DID}","time_us":1725911162329308,"kind":"commit","commit":{"rev":"3l3qo2vutsw2b","operation":"create","collection":"app.bsky.feed.post","rkey":"3l3qo2vuowo2b","record":{"$type":"app.bsky.feed.post","createdAt":"2024-09-09T19:46:02.102Z","langs":["en"],"text":"A statement."},"cid":"bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"}}`;
const DELETE = `{"did":"${DID}","time_us":1725516666833633,"kind":"commit","commit":{"rev":"3l3f6nzl3cv2s","operation":"delete","collection":"app.bsky.feed.post","rkey":"3l3f6nzjpm52s"}}`;
const LIKE = `{"did":"${DID}","time_us":1725516666833634,"kind":"commit","commit":{"rev":"3l3f6nzl3cv2t","operation":"create","collection":"app.bsky.feed.like","rkey":"3l3f6nzjpm52t","record":{},"cid":"bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"}}`;
const IDENTITY = `{"did":"${DID}","time_us":1725516665234703,"kind":"identity","identity":{"did":"${DID}","handle":"mfa.gov.example","seq":1409752997,"time":"2024-09-05T06:11:04.870Z"}}`;

describe('readJetstreamMessage', () => {
  it('reads a post written and a post deleted as the record they name, and anything else as other', () => {
    expect(readJetstreamMessage(CREATE)).toEqual({
      kind: 'posted',
      did: DID,
      uri: `at://${DID}/app.bsky.feed.post/3l3qo2vuowo2b`,
      timeUs: 1725911162329308,
    });
    expect(readJetstreamMessage(DELETE)).toEqual({
      kind: 'deleted',
      did: DID,
      uri: `at://${DID}/app.bsky.feed.post/3l3f6nzjpm52s`,
      timeUs: 1725516666833633,
    });
    expect(readJetstreamMessage(LIKE)).toEqual({ kind: 'other', timeUs: 1725516666833634 });
    expect(readJetstreamMessage(IDENTITY)).toEqual({ kind: 'other', timeUs: 1725516665234703 });
  });

  it('names what is wrong with a message that is not an event', () => {
    expect(() => readJetstreamMessage('{"did":')).toThrow('a Jetstream message that is not JSON');
    expect(() => readJetstreamMessage(`{"did":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)).toThrow(
      'a Jetstream message nested too deeply',
    );
    expect(() => readJetstreamMessage('{"did":"nope","time_us":1,"kind":"commit"}')).toThrow(/valid did/);
    expect(() =>
      readJetstreamMessage(
        `{"did":"${DID}","time_us":1,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"../../x"}}`,
      ),
    ).toThrow(/valid commit.rkey/);
  });

  it('states the wanted DIDs in an options_update, and every post beyond what Jetstream takes', () => {
    expect(JSON.parse(jetstreamOptions([DID], 1024))).toEqual({
      type: 'options_update',
      payload: { wantedCollections: ['app.bsky.feed.post'], wantedDids: [DID], maxMessageSizeBytes: 1024 },
    });
    const many = Array.from({ length: 10_001 }, (_, i) => `did:plc:${String(i).padStart(24, 'a')}`);
    expect(JSON.parse(jetstreamOptions(many, 1024)).payload.wantedDids).toEqual([]);
  });
});

describe('JetstreamClient against a fake Jetstream', () => {
  let jetstream: FakeJetstream;
  let client: JetstreamClient;
  let signals: JetstreamSignal[];
  let states: string[];

  beforeEach(async () => {
    jetstream = await startFakeJetstream();
    signals = [];
    states = [];
    client = new JetstreamClient({
      url: jetstream.url,
      allowPrivateNetworks: true,
      onSignal: (s) => signals.push(s),
      onState: (state, detail) => states.push(`${state}: ${detail}`),
      maxMessageBytes: 64 * 1024,
      retryBaseMs: 20,
      retryMaxMs: 100,
    });
  });

  afterEach(async () => {
    client.stop();
    await jetstream.close();
  });

  const until = async (what: string, test: () => boolean) => {
    for (let i = 0; i < 200 && !test(); i++) await new Promise((r) => setTimeout(r, 10));
    if (!test()) throw new Error(`never happened: ${what}`);
  };
  const subscribed = () =>
    until('a subscriber stating its DIDs', () =>
      jetstream.subscribers.some((s) => s.socket.readyState === 1 && s.wantedDids !== null),
    );

  /** Drops the connection with an oversized message; the cursor the client asks from on reconnecting. */
  const reconnectedCursor = async () => {
    jetstream.sendRaw('x'.repeat(200 * 1024));
    await until(
      'a second connection',
      () => jetstream.subscribers.filter((s) => s.wantedDids !== null).length === 2,
    );
    return Number(jetstream.subscribers[1].query.get('cursor'));
  };

  it('connects only once there is a DID to watch, and states the DIDs after connecting', async () => {
    client.setDids([]);
    await new Promise((r) => setTimeout(r, 50));
    expect(jetstream.subscribers).toHaveLength(0);
    client.setDids([DID]);
    await subscribed();
    const [subscriber] = jetstream.subscribers;
    expect(subscriber.query.get('requireHello')).toBe('true');
    expect(subscriber.query.get('wantedCollections')).toBe('app.bsky.feed.post');
    expect(subscriber.wantedDids).toEqual([DID]);
    client.setDids([DID, OTHER]);
    await until('the new DID stated', () => subscriber.wantedDids?.length === 2);
  });

  it('passes on posts and deletions of watched repositories only', async () => {
    client.setDids([DID]);
    await subscribed();
    jetstream.emit(postCommitEvent(DID, '3l3qo2vuowo2b', 'create', { record: { text: 'x' }, cid: 'bafy' }));
    jetstream.emit(postCommitEvent(OTHER, '3l3qo2vuowo2c', 'create', { record: { text: 'y' }, cid: 'bafy' }));
    // beyond wantedDids a firehose sends everything: the client filters as well
    jetstream.sendRaw(JSON.stringify(postCommitEvent(OTHER, '3l3qo2vuowo2d', 'create')));
    jetstream.emit(postCommitEvent(DID, '3l3qo2vuowo2b', 'delete'));
    await until('two signals', () => signals.length >= 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(signals.map((s) => s.kind)).toEqual(['posted', 'deleted']);
  });

  it('reads past malformed messages, naming them once per connection', async () => {
    client.setDids([DID]);
    await subscribed();
    for (let i = 0; i < 50; i++) jetstream.sendRaw('{"not": "an event"');
    jetstream.sendRaw(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), true);
    jetstream.emit(postCommitEvent(DID, '3l3qo2vuowo2e', 'create', { record: { text: 'z' }, cid: 'bafy' }));
    await until('the good event', () => signals.length === 1);
    expect(states.filter((s) => s.startsWith('malformed'))).toEqual([
      'malformed: a Jetstream message that is not JSON',
    ]);
  });

  it('drops a connection over an oversized message and comes back from where it stopped', async () => {
    client.setDids([DID]);
    await subscribed();
    const seen = postCommitEvent(DID, '3l3qo2vuowo2f', 'create', { record: { text: 'a' }, cid: 'bafy' });
    jetstream.emit(seen);
    await until('the first event', () => signals.length === 1);
    const cursor = await reconnectedCursor();
    expect(cursor).toBeLessThanOrEqual(seen.time_us);
    expect(cursor).toBeGreaterThan(seen.time_us - 10_000_000);
    expect(states).toContainEqual('disconnected: Max payload size exceeded');
    jetstream.emit(postCommitEvent(DID, '3l3qo2vuowo2g', 'create', { record: { text: 'b' }, cid: 'bafy' }));
    await until('an event on the new connection', () => signals.length === 2);
  });

  it('does not let an event stamped far in the future move where a new connection starts from', async () => {
    client.setDids([DID]);
    await subscribed();
    const seen = postCommitEvent(DID, '3l3qo2vuowo2h', 'create', { record: { text: 'c' }, cid: 'bafy' });
    jetstream.emit(seen);
    const aYearAhead = {
      ...postCommitEvent(DID, '3l3qo2vuowo2i', 'create'),
      time_us: seen.time_us + 365 * 86_400e6,
    };
    jetstream.sendRaw(JSON.stringify(aYearAhead));
    await until('both events', () => signals.length === 2);
    const cursor = await reconnectedCursor();
    expect(cursor).toBeLessThanOrEqual(seen.time_us);
    expect(cursor).toBeGreaterThan(seen.time_us - 10_000_000);
  });

  it('refuses a loopback address unless private networks are allowed, and tries again later', async () => {
    const guarded = new JetstreamClient({
      url: jetstream.url,
      allowPrivateNetworks: false,
      onSignal: () => undefined,
      onState: (state, detail) => states.push(`${state}: ${detail}`),
      retryBaseMs: 10_000,
    });
    guarded.setDids([DID]);
    expect(states[0]).toMatch(/private or loopback address; refused/);
    expect(jetstream.subscribers).toHaveLength(0);
    guarded.stop();
  });
});
