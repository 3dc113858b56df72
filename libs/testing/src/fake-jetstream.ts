import { type AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** What a subscriber asked for: the URL's query, then its latest `options_update`. */
export interface JetstreamSubscriber {
  query: URLSearchParams;
  wantedDids: string[] | null;
  wantedCollections: string[] | null;
  socket: WebSocket;
}

export interface FakeJetstream {
  /** `ws://127.0.0.1:<port>/subscribe`: what VERBATIM_BLUESKY_JETSTREAM_URL points at */
  readonly url: string;
  readonly subscribers: JetstreamSubscriber[];
  /** sends the event to every subscriber that stated options wanting its DID and collection, as Jetstream does */
  emit(event: JetstreamEvent): number;
  /** sends these bytes as they are to every open subscriber (hostile or malformed messages) */
  sendRaw(data: string | Buffer, binary?: boolean): void;
  /** closes every open connection from the server's side */
  dropAll(): void;
  close(): Promise<void>;
}

export interface JetstreamEvent {
  did: string;
  time_us: number;
  kind: 'commit' | 'identity' | 'account';
  commit?: {
    rev: string;
    operation: 'create' | 'update' | 'delete';
    collection: string;
    rkey: string;
    record?: Record<string, unknown>;
    cid?: string;
  };
}

let clock = Date.now() * 1000;
const nextTimeUs = () => (clock = Math.max(clock + 1, Date.now() * 1000));

/** A `commit` event for a post written (create) or rewritten (update), shaped as Jetstream sends it. */
export function postCommitEvent(
  did: string,
  rkey: string,
  operation: 'create' | 'update' | 'delete',
  post?: { record: Record<string, unknown>; cid: string },
): JetstreamEvent {
  return {
    did,
    time_us: nextTimeUs(),
    kind: 'commit',
    commit: {
      rev: `3l${Math.floor(Math.random() * 36 ** 11)
        .toString(36)
        .padStart(11, 'a')}`,
      operation,
      collection: 'app.bsky.feed.post',
      rkey,
      ...(post && operation !== 'delete' ? { record: post.record, cid: post.cid } : {}),
    },
  };
}

/**
 * A Jetstream look-alike on 127.0.0.1 (github.com/bluesky-social/jetstream): subscribers connect to
 * `/subscribe`, with `requireHello=true` state what they want in an `options_update`, and receive one JSON
 * event per message, filtered by their `wantedDids` and `wantedCollections`.
 */
export async function startFakeJetstream(): Promise<FakeJetstream> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/subscribe' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const subscribers: JetstreamSubscriber[] = [];
  server.on('connection', (socket, request) => {
    const query = new URL(request.url ?? '/', 'ws://127.0.0.1').searchParams;
    const subscriber: JetstreamSubscriber = {
      query,
      wantedDids: query.has('wantedDids') ? query.getAll('wantedDids') : null,
      wantedCollections: query.has('wantedCollections') ? query.getAll('wantedCollections') : null,
      socket,
    };
    subscribers.push(subscriber);
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as {
        type: string;
        payload: { wantedDids?: string[]; wantedCollections?: string[] };
      };
      if (message.type !== 'options_update') return;
      subscriber.wantedDids = message.payload.wantedDids ?? [];
      subscriber.wantedCollections = message.payload.wantedCollections ?? [];
    });
  });
  const open = () => subscribers.filter((s) => s.socket.readyState === s.socket.OPEN);
  const wants = (s: JetstreamSubscriber, event: JetstreamEvent) => {
    if (s.query.get('requireHello') === 'true' && s.wantedDids === null) return false;
    const dids = s.wantedDids ?? [];
    const collections = s.wantedCollections ?? [];
    return (
      (dids.length === 0 || dids.includes(event.did)) &&
      (collections.length === 0 || !event.commit || collections.includes(event.commit.collection))
    );
  };
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/subscribe`,
    subscribers,
    emit(event) {
      const to = open().filter((s) => wants(s, event));
      for (const s of to) s.socket.send(JSON.stringify(event));
      return to.length;
    },
    sendRaw(data, binary = false) {
      for (const s of open()) s.socket.send(data, { binary });
    },
    dropAll() {
      for (const s of open()) s.socket.terminate();
    },
    async close() {
      for (const s of subscribers) s.socket.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
