import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import {
  type ChannelRecord,
  type MessageRecord,
  escapeHtml,
  renderEmbed,
  renderEmbedNotFound,
  renderInfoPage,
  renderPreviewPage,
} from './telegram-markup';
import { fakeFiles, type FakeFiles } from '../fake-files';
import { writtenHead, closeFakeServer } from '../fake-server-support';

/** Messages per preview page, as t.me shows about 20. */
const PAGE_SIZE = 20;

export type TelegramFailureMode =
  /** 429 with Retry-After */
  | 'rate-limited'
  /** 500 with an nginx error page */
  | 'server-error'
  /** accepts the request and never answers (until close) */
  | 'hang';

export interface TelegramFailureRule {
  mode: TelegramFailureMode;
  /** only requests whose path starts with this (`/s/` for the preview, `/<channel>/` for embeds) */
  path?: string;
  /** how many requests fail before the rule wears off; default: every request */
  times?: number;
}

export interface TelegramLoggedRequest {
  method: string;
  /** path and query as sent */
  path: string;
  headers: IncomingHttpHeaders;
  response?: { status: number; headers: Record<string, string>; body: Buffer; head: Buffer };
}

export interface TelegramPublishInput {
  /** the text as Telegram renders it (<b>, <i>, <a href>, <br/>, entities escaped) */
  html?: string;
  /** plain text, escaped and with newlines as <br/> */
  text?: string;
  date?: Date;
  views?: number;
  signature?: string;
  forwardedFrom?: { name: string; url?: string };
  replyTo?: number;
  /** one photo URL, or several for an album (each member takes an id) */
  photos?: string[];
  video?: string;
  linkPreview?: { url: string; siteName: string; title: string; description: string; image?: string };
  /** a service message ("Channel created") */
  service?: boolean;
}

export interface FakeTelegram {
  /** `http://127.0.0.1:<port>`: what VERBATIM_TELEGRAM_BASE_URL points at */
  readonly origin: string;
  readonly requestLog: TelegramLoggedRequest[];
  /** files served under /file/ (Telegram's CDN: photos, videos, link preview images); 404 until a test adds one */
  readonly files: FakeFiles;
  addChannel(input: { username: string; title: string; description?: string; hasPreview?: boolean }): void;
  /** publishes a message and returns its id (an album returns its first id) */
  publish(channel: string, input: TelegramPublishInput): number;
  /** replaces the text; the message shows "edited" from now on */
  edit(channel: string, id: number, html: string): void;
  /** deletes a message: it leaves the preview (a gap in the ids) and its embed says "Post not found" */
  remove(channel: string, id: number): void;
  /** turns the channel's public preview off (a channel gone private) or on again */
  setPreview(channel: string, hasPreview: boolean): void;
  /** serves the body as the next responses to `/s/<channel>` (a hostile or oversized page); null: the real page again */
  servePreviewBody(channel: string, body: Buffer | string | null): void;
  fail(rule: TelegramFailureRule): void;
  clearFailures(): void;
  close(): Promise<void>;
}

interface Channel {
  record: ChannelRecord;
  messages: MessageRecord[];
  nextId: number;
  overrideBody: Buffer | null;
}

type Routed = { status: number; body: string | Buffer; location?: string };

/** Starts a t.me look-alike on 127.0.0.1, port 0: the web preview, the embed widget and info pages. */
export async function startFakeTelegram(): Promise<FakeTelegram> {
  const channels = new Map<string, Channel>();
  const failures: TelegramFailureRule[] = [];
  const requestLog: TelegramLoggedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const files = fakeFiles();

  const channelOf = (name: string): Channel => {
    const found = channels.get(name.toLowerCase());
    if (!found) throw new Error(`fake telegram: no channel ${name}`);
    return found;
  };
  const messageOf = (channel: Channel, id: number): MessageRecord => {
    const found = channel.messages.find((m) => m.id === id);
    if (!found) throw new Error(`fake telegram: no message ${channel.record.username}/${id}`);
    return found;
  };

  function previewPage(channel: Channel, query: URLSearchParams): Routed {
    if (channel.overrideBody) return { status: 200, body: channel.overrideBody };
    const shown = channel.messages.filter((m) => !m.deleted);
    const before = Number(query.get('before') ?? Number.POSITIVE_INFINITY);
    const after = Number(query.get('after') ?? 0);
    const window = query.has('after')
      ? shown.filter((m) => m.id > after).slice(0, PAGE_SIZE)
      : shown.filter((m) => m.id < before).slice(-PAGE_SIZE);
    const first = window[0];
    const last = window[window.length - 1];
    const olderBefore = first && shown.some((m) => m.id < first.id) ? first.id : null;
    const newerAfter = last && shown.some((m) => m.id > last.id) ? last.id : null;
    return { status: 200, body: renderPreviewPage(channel.record, window, { olderBefore, newerAfter }) };
  }

  function route(url: URL): Routed {
    const segments = url.pathname.split('/').filter((s) => s !== '');
    if (segments[0] === 's' && segments.length === 2) {
      const channel = channels.get(segments[1].toLowerCase());
      if (!channel || !channel.record.hasPreview)
        return { status: 302, body: '', location: `/${segments[1]}` };
      return previewPage(channel, url.searchParams);
    }
    const channel = segments[0] === undefined ? undefined : channels.get(segments[0].toLowerCase());
    if (segments.length === 2 && /^\d+$/.test(segments[1]) && url.searchParams.has('embed')) {
      const message = channel?.messages.find((m) => m.id === Number(segments[1]) && !m.deleted && !m.service);
      // a channel without preview shows no posts in widgets either
      if (!channel || !message || !channel.record.hasPreview)
        return { status: 200, body: renderEmbedNotFound() };
      return { status: 200, body: renderEmbed(channel.record, message) };
    }
    if (segments.length === 1) {
      const record = channel?.record ?? {
        username: segments[0],
        title: segments[0],
        description: '',
        hasPreview: false,
      };
      return { status: 200, body: renderInfoPage(record) };
    }
    return { status: 404, body: '<html><body>Not found</body></html>' };
  }

  function failureFor(path: string): TelegramFailureRule | undefined {
    const index = failures.findIndex((rule) => rule.path === undefined || path.startsWith(rule.path));
    if (index < 0) return undefined;
    const rule = failures[index];
    if (rule.times !== undefined && --rule.times <= 0) failures.splice(index, 1);
    return rule;
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    // files come from Telegram's CDN, not t.me: no failure rules; logged so a test can tell what was fetched
    if (req.url?.startsWith('/file/')) {
      requestLog.push({ method: req.method ?? 'GET', path: req.url, headers: req.headers });
      files.handle(req, res);
      return;
    }
    const url = new URL(req.url ?? '/', origin);
    const entry: TelegramLoggedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
    };
    requestLog.push(entry);
    const failure = failureFor(url.pathname);
    if (failure?.mode === 'hang') {
      hanging.add(res);
      return;
    }
    let routed = route(url);
    const headers: Record<string, string> = {
      Server: 'nginx/1.18.0',
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Strict-Transport-Security': 'max-age=35768000',
    };
    if (failure?.mode === 'rate-limited') {
      routed = { status: 429, body: '<html><body>Too Many Requests</body></html>' };
      headers['Retry-After'] = '30';
    } else if (failure?.mode === 'server-error') {
      routed = {
        status: 500,
        body: '<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n',
      };
    }
    if (routed.location) headers.Location = routed.location;
    const body = Buffer.isBuffer(routed.body) ? routed.body : Buffer.from(routed.body, 'utf8');
    headers['Content-Length'] = String(body.length);
    res.writeHead(routed.status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
    entry.response = { status: routed.status, headers, body, head: writtenHead(res) };
  }

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    requestLog,
    files,
    addChannel(input) {
      if (channels.has(input.username.toLowerCase()))
        throw new Error(`fake telegram: ${input.username} exists`);
      const record: ChannelRecord = {
        username: input.username,
        title: input.title,
        description: input.description ?? '',
        hasPreview: input.hasPreview ?? true,
      };
      channels.set(input.username.toLowerCase(), { record, messages: [], nextId: 1, overrideBody: null });
    },
    publish(name, input) {
      const channel = channelOf(name);
      const photos = input.photos ?? [];
      const id = channel.nextId;
      const albumIds = photos.slice(1).map((_, i) => id + 1 + i);
      channel.nextId = id + 1 + albumIds.length;
      const replied = input.replyTo === undefined ? null : messageOf(channel, input.replyTo);
      const html =
        input.html ?? (input.text === undefined ? null : escapeHtml(input.text).replace(/\n/g, '<br/>'));
      channel.messages.push({
        id,
        html,
        date: input.date ?? new Date(),
        edited: false,
        views: input.views ?? 0,
        signature: input.signature ?? null,
        forwardedFrom: input.forwardedFrom
          ? { name: input.forwardedFrom.name, url: input.forwardedFrom.url ?? null }
          : null,
        replyTo: replied ? { id: replied.id, author: channel.record.title, text: 'Message' } : null,
        photos,
        video: input.video ?? null,
        albumIds,
        linkPreview: input.linkPreview
          ? { ...input.linkPreview, image: input.linkPreview.image ?? null }
          : null,
        service: input.service ?? false,
        deleted: false,
      });
      return id;
    },
    edit(name, id, html) {
      const message = messageOf(channelOf(name), id);
      message.html = html;
      message.edited = true;
    },
    remove(name, id) {
      messageOf(channelOf(name), id).deleted = true;
    },
    setPreview(name, hasPreview) {
      channelOf(name).record.hasPreview = hasPreview;
    },
    servePreviewBody(name, body) {
      channelOf(name).overrideBody =
        body === null ? null : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    },
    fail(rule) {
      failures.push({ ...rule });
    },
    clearFailures() {
      failures.length = 0;
    },
    /** Ends hanging requests and open connections. Safe to call twice. */
    close: () => closeFakeServer(server, hanging),
  };
}
