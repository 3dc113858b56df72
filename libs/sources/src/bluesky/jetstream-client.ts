import WebSocket from 'ws';
import { guardedLookup, ipLiteral, isPublicAddress, systemResolver } from '../http/address-guard';
import { type JetstreamSignal, jetstreamOptions, readJetstreamMessage } from './jetstream-messages';
import { POST_COLLECTION } from './bluesky-urls';

export interface JetstreamClientOptions {
  /** the subscribe endpoint, e.g. wss://jetstream2.us-east.bsky.network/subscribe */
  url: string;
  allowPrivateNetworks: boolean;
  /** each post written or deleted in a wanted repository, as it arrives */
  onSignal(signal: Extract<JetstreamSignal, { kind: 'posted' | 'deleted' }>): void;
  /** connection changes and dropped messages, for the log and metrics */
  onState?(state: 'connected' | 'disconnected' | 'malformed', detail: string): void;
  /** a larger message closes the connection (a post event is a few kilobytes) */
  maxMessageBytes?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** a connection that answers no ping within this is dropped and made again */
  pingIntervalMs?: number;
}

/** On reconnecting, events are asked again from this far before the last one seen (repeats are harmless). */
const REWIND_US = 2_000_000;
/** An event stamped further ahead of our clock than this does not move the cursor (it would skip what follows). */
const FUTURE_SLACK_US = 600_000_000;

/**
 * One Jetstream subscription for the DIDs we track. It connects only while there is a DID to watch, states
 * them in an `options_update` (so the list is not bounded by a URL's length), reconnects with exponential
 * backoff from where it stopped, and drops a connection that stops answering pings. Polling stays the
 * source of truth: whatever is missed here is found by the next poll.
 */
export class JetstreamClient {
  private readonly dids = new Set<string>();
  private socket: WebSocket | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private cursorUs: number | null = null;
  private failures = 0;
  private stopped = false;
  private malformedThisConnection = 0;

  constructor(private readonly options: JetstreamClientOptions) {}

  /** The DIDs to watch: sent to a live connection at once; the first opens one, an empty list closes it. */
  setDids(dids: readonly string[]): void {
    const changed = dids.length !== this.dids.size || dids.some((d) => !this.dids.has(d));
    if (!changed) return;
    this.dids.clear();
    for (const did of dids) this.dids.add(did);
    if (this.dids.size === 0) return this.close();
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(this.optionsMessage());
    else if (!this.socket && !this.retryTimer) this.connect();
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  stop(): void {
    this.stopped = true;
    this.close();
  }

  private optionsMessage(): string {
    return jetstreamOptions([...this.dids], this.maxMessageBytes);
  }

  private get maxMessageBytes(): number {
    return this.options.maxMessageBytes ?? 1024 * 1024;
  }

  private subscribeUrl(): URL {
    const url = new URL(this.options.url);
    url.searchParams.set('wantedCollections', POST_COLLECTION);
    url.searchParams.set('requireHello', 'true');
    if (this.cursorUs !== null)
      url.searchParams.set('cursor', String(Math.max(0, this.cursorUs - REWIND_US)));
    return url;
  }

  private connect(): void {
    if (this.stopped || this.dids.size === 0) return;
    const url = this.subscribeUrl();
    const literal = ipLiteral(url.hostname);
    if (!this.options.allowPrivateNetworks && literal !== null && !isPublicAddress(literal)) {
      this.options.onState?.(
        'disconnected',
        `${url.host} is a private or loopback address; refused (set VERBATIM_ALLOW_PRIVATE_NETWORKS=true)`,
      );
      return this.retryLater();
    }
    const socket = new WebSocket(url, {
      handshakeTimeout: 10_000,
      maxPayload: this.maxMessageBytes,
      perMessageDeflate: false,
      followRedirects: false,
      ...(this.options.allowPrivateNetworks
        ? {}
        : { lookup: guardedLookup(systemResolver, isPublicAddress) }),
    });
    this.socket = socket;
    this.malformedThisConnection = 0;
    let alive = true;
    socket.on('open', () => {
      socket.send(this.optionsMessage());
      this.options.onState?.('connected', `subscribed to ${this.dids.size} repositories at ${url.host}`);
      this.pingTimer = setInterval(() => {
        if (!alive) return socket.terminate();
        alive = false;
        socket.ping();
      }, this.options.pingIntervalMs ?? 30_000);
    });
    socket.on('pong', () => (alive = true));
    socket.on('message', (data, isBinary) => {
      alive = true;
      this.failures = 0;
      if (isBinary) return this.malformed('a binary message (zstd compression was not asked for)');
      this.receive(data.toString());
    });
    socket.on('error', (error) => this.options.onState?.('disconnected', error.message));
    socket.on('close', (code) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.pingTimer) clearInterval(this.pingTimer);
      this.pingTimer = null;
      if (this.stopped || this.dids.size === 0) return;
      this.options.onState?.('disconnected', `the connection closed (code ${code})`);
      this.retryLater();
    });
  }

  private receive(text: string): void {
    let signal: JetstreamSignal;
    try {
      signal = readJetstreamMessage(text);
    } catch (error) {
      return this.malformed((error as Error).message);
    }
    if (signal.timeUs <= Date.now() * 1000 + FUTURE_SLACK_US)
      this.cursorUs = Math.max(this.cursorUs ?? 0, signal.timeUs);
    // beyond JETSTREAM_MAX_WANTED_DIDS every post arrives: keep those of tracked repositories only
    if (signal.kind !== 'other' && this.dids.has(signal.did)) this.options.onSignal(signal);
  }

  /** Counted, and named once per connection: a source sending garbage does not fill the log. */
  private malformed(detail: string): void {
    if (this.malformedThisConnection++ === 0) this.options.onState?.('malformed', detail);
  }

  private retryLater(): void {
    if (this.stopped || this.retryTimer) return;
    const base = this.options.retryBaseMs ?? 1000;
    const delay = Math.min(this.options.retryMaxMs ?? 60_000, base * 2 ** Math.min(this.failures, 16));
    this.failures++;
    // jitter, so many workers do not come back at the same instant
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = null;
        this.connect();
      },
      delay * (0.75 + Math.random() * 0.5),
    );
  }

  private close(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.terminate();
  }
}
