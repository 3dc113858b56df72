import { Transform, type Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import { ErrorCode, localOverload, SourceError } from '@app/core';
import {
  type AddressPolicy,
  type Resolver,
  guardedLookup,
  ipLiteral,
  isPublicAddress,
  privateAddressRefusal,
  systemResolver,
} from './address-guard';
import { CREDENTIALS_REFUSAL, hasCredentials, withoutCredentials } from '../url-credentials';
import { BodyBudget } from './body-budget';
import { HostRateLimits } from './host-rate-limits';
import { networkFailureReason } from './network-error-message';
import {
  BodyTooLarge,
  type HttpClientOptions,
  type HttpRequest,
  type HttpResponse,
  type StreamedResponse,
} from './http-client';
import { DEFAULT_MAX_RETRY_AFTER_SECONDS } from './response-errors';

/** Seams for tests; production code passes none. */
export interface GuardedHttpClientDeps {
  /** DNS resolution; the system resolver (dns.lookup) by default */
  resolve?: Resolver;
  /** which addresses may be connected to when private networks are not allowed; public unicast by default */
  isAllowedAddress?: AddressPolicy;
  /** clock for rate-limit bookkeeping, in ms */
  now?: () => number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** sent to the first origin only: a redirect elsewhere must not carry our tokens */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

type Method = NonNullable<HttpRequest['method']>;

/** A response whose head has arrived; its body is still unread. */
interface AnsweredExchange {
  res: Dispatcher.ResponseData;
  url: URL;
  headers: Record<string, string>;
  rawHeaders: string[];
  redirects: string[];
  retryAt: Date | null;
  bodiless: boolean;
}

interface Exchange {
  url: URL;
  method: Method;
  headers: Record<string, string>;
  body: HttpRequest['body'];
}

/**
 * The one way Verbatim talks to the outside world.
 *
 * Built on undici's low-level `Agent.request` rather than fetch: fetch decompresses bodies and follows
 * redirects itself, while we must keep the exact bytes received and vet every redirect target. A dedicated
 * Agent lets us pass a `lookup` to each socket's connect, which is where the private-network guard runs.
 */
export class GuardedHttpClient {
  private readonly agent: Agent;
  private readonly rateLimits: HostRateLimits;
  private readonly isAllowed: AddressPolicy | null;
  private readonly resolveName: Resolver;
  private readonly bodies: BodyBudget;

  constructor(
    private readonly options: HttpClientOptions,
    deps: GuardedHttpClientDeps = {},
  ) {
    this.isAllowed = options.allowPrivateNetworks ? null : (deps.isAllowedAddress ?? isPublicAddress);
    this.resolveName = deps.resolve ?? systemResolver;
    this.bodies = new BodyBudget(options.maxBytesInFlight ?? Number.POSITIVE_INFINITY);
    this.rateLimits = new HostRateLimits(
      deps.now ?? Date.now,
      options.maxRetryAfterSeconds ?? DEFAULT_MAX_RETRY_AFTER_SECONDS,
    );
    this.agent = new Agent({
      connect: {
        timeout: options.connectTimeoutMs,
        lookup: guardedLookup(this.resolveName, this.isAllowed),
      },
      // our own deadline below covers headers and body; these only stop undici's longer defaults
      headersTimeout: options.totalTimeoutMs,
      bodyTimeout: options.totalTimeoutMs,
    });
  }

  /**
   * Refuses now, without connecting, a URL that `request` would refuse for where it points: a bad scheme,
   * credentials, a private address (every address the name resolves to is checked). For URLs we are given to
   * call later, such as webhook endpoints; `request` checks again at connect time.
   */
  async vetDestination(input: string | URL): Promise<URL> {
    const url = httpUrl(input);
    const allowed = this.isAllowed;
    if (!allowed) return url;
    const literal = ipLiteral(url.hostname);
    if (literal) {
      if (!allowed(literal)) throw privateAddressRefusal(url.hostname);
      return url;
    }
    let addresses;
    try {
      addresses = await this.resolveName(url.hostname);
    } catch {
      throw new SourceError(ErrorCode.SourceRefused, `${url.hostname} does not resolve`);
    }
    if (addresses.some((a) => !allowed(a.address))) throw privateAddressRefusal(url.hostname);
    return url;
  }

  /** Never throws for an HTTP status; throws SourceError for everything that kept us from a response. */
  async request(input: string | URL, req: HttpRequest = {}): Promise<HttpResponse> {
    // no body larger than the whole bound: it would be refused as our load, for ever
    const maxBytes = Math.min(req.maxBytes ?? this.options.maxBytes, this.bodies.limit);
    // with the bound (nearly) full, the answer would not be read: do not ask
    const target = httpUrl(input);
    if (!this.bodies.admits(maxBytes)) throw overShared(target.host, this.bodies.limit, 'not asked');
    return this.withDeadline(target, req, async (exchange) => {
      const { res, url, bodiless } = exchange;
      const body = await readLimited(
        res.body,
        bodiless ? undefined : exchange.headers['content-length'],
        { limit: maxBytes, shared: this.bodies },
        url,
      );
      return { ...responseOf(exchange), body };
    });
  }

  /**
   * Streams a response body to `consume` instead of buffering it, for files too large to hold in memory
   * (media). The size limit is enforced twice: a Content-Length above it is refused before any body byte is
   * read, and the stream fails with BodyTooLarge as soon as more bytes arrive than allowed (a server may send
   * no length, or lie). The deadline covers headers and the whole body; `consume` must read the body (or
   * destroy it) before it resolves. Non-2xx answers are handed over too, with their body, for the caller to judge.
   */
  async download<T>(
    input: string | URL,
    req: HttpRequest,
    consume: (response: StreamedResponse) => Promise<T>,
  ): Promise<T> {
    const limit = req.maxBytes ?? this.options.maxBytes;
    return this.withDeadline(input, req, async (exchange) => {
      const { res, url, bodiless } = exchange;
      const declared = bodiless ? undefined : exchange.headers['content-length'];
      if (declared !== undefined && Number(declared) > limit) {
        // undici reports the destroy as an abort error on the stream; nobody is reading it any more
        res.body.on('error', () => undefined).destroy();
        throw new BodyTooLarge(url, limit, Number(declared));
      }
      const body = res.body.pipe(limitedStream(limit, url));
      // a failure on the socket side reaches the reader
      res.body.on('error', (error) => body.destroy(error));
      try {
        return await consume({ ...responseOf(exchange), body });
      } finally {
        // a consumer that gave up before reading (its own failure) left no reader: the abort the destroy
        // reports must not become an 'error' event nobody listens to, which would end the process
        body.on('error', () => undefined);
        res.body.destroy();
      }
    });
  }

  /** Runs one exchange (redirects followed) and `use` under the request's deadline, mapping failures to SourceError. */
  private async withDeadline<T>(
    input: string | URL,
    req: HttpRequest,
    use: (exchange: AnsweredExchange) => Promise<T>,
  ): Promise<T> {
    const maxRedirects = this.options.maxRedirects ?? 5;
    let current: Exchange = {
      url: httpUrl(input),
      method: req.method ?? 'GET',
      headers: this.requestHeaders(req.headers),
      body: req.body,
    };
    const redirects: string[] = [];
    // the limit this request is held to (a webhook's, a media file's), named in its timeout error
    const timeoutMs = req.timeoutMs ?? this.options.totalTimeoutMs;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    try {
      for (;;) {
        const { url } = current;
        this.checkDestination(url);
        const res = await this.agent.request({
          origin: url.origin,
          path: url.pathname + url.search,
          method: current.method,
          headers: current.headers,
          body: current.body,
          signal: deadline.signal,
          // undici's own timers at the same limit: a longer one (a media file's) is not cut at the client's
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          // names as sent, in order, repeats kept: the response head is archived as received
          responseHeaders: 'raw',
        });
        const rawHeaders = res.headers as unknown as string[];
        const headers = flatHeaders(rawHeaders);
        const retryAt = this.rateLimits.observe(url.host, res.statusCode, headers);

        if (REDIRECT_STATUSES.has(res.statusCode) && headers.location && req.followRedirects !== false) {
          await res.body.dump();
          if (redirects.length >= maxRedirects) {
            throw new SourceError(
              ErrorCode.SourceRefused,
              `${url.host}: too many redirects (more than ${maxRedirects})`,
            );
          }
          // every URL that answered with a redirect, in order; the response's `url` is where the chain ended
          redirects.push(url.href);
          current = redirected(current, res.statusCode, headers.location);
          continue;
        }
        // a HEAD, 204 or 304 response may declare a length for a body it never sends
        const bodiless = current.method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304;
        return await use({ res, url, headers, rawHeaders, redirects, retryAt, bodiless });
      }
    } catch (error) {
      throw this.asSourceError(error, current.url, deadline.signal.aborted, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Releases pooled connections; the client cannot be used afterwards. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  /** The bytes of buffered response bodies being received right now (with what was taken first of announced ones). */
  get bytesInFlight(): number {
    return this.bodies.inUse;
  }

  /** The bound on `bytesInFlight` (VERBATIM_HTTP_BYTES_IN_FLIGHT; infinite when none was given). */
  get bytesInFlightLimit(): number {
    return this.bodies.limit;
  }

  private requestHeaders(given: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(given)) headers[name.toLowerCase()] = value;
    // identity: the body we hash and archive must be the bytes the server meant, not a re-encoding
    headers['accept-encoding'] = 'identity';
    headers['user-agent'] = this.options.userAgent;
    return headers;
  }

  /** Refusals that need no network: a host under a rate-limit reset, a private IP literal. */
  private checkDestination(url: URL): void {
    const retryAt = this.rateLimits.blockedUntil(url.host);
    if (retryAt) {
      throw new SourceError(
        ErrorCode.SourceRateLimited,
        `${url.host}: rate limited until ${retryAt.toISOString()}`,
        null,
        retryAt,
      );
    }
    // names are checked in the connect-time lookup; literals never go through a lookup
    const literal = ipLiteral(url.hostname);
    if (literal && this.isAllowed && !this.isAllowed(literal)) throw privateAddressRefusal(url.hostname);
  }

  private asSourceError(error: unknown, url: URL, timedOut: boolean, timeoutMs: number): unknown {
    const code = errorCode(error);
    if (error instanceof SourceError) return error;
    if (error instanceof Error && error.cause instanceof SourceError) return error.cause;
    if (timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return new SourceError(
        ErrorCode.SourceUnavailable,
        `${url.host}: request timed out after ${timeoutMs} ms`,
      );
    }
    if (code === 'UND_ERR_CONNECT_TIMEOUT') {
      return new SourceError(
        ErrorCode.SourceUnavailable,
        `${url.host}: connect timed out after ${this.options.connectTimeoutMs} ms`,
      );
    }
    // a programming mistake (bad header value...) is not the network's fault: let it surface as is
    if (code === undefined || code === 'UND_ERR_INVALID_ARG') return error;
    // stored on the account and shown to anonymous readers: the host they gave, never an address it resolved to
    const message = error instanceof Error ? error.message : String(error);
    return new SourceError(
      ErrorCode.SourceUnavailable,
      `could not reach ${url.host}: ${networkFailureReason(code, message)}`,
    );
  }
}

function httpUrl(input: string | URL, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(input, base);
  } catch {
    throw new SourceError(ErrorCode.SourceRefused, `refused to fetch ${String(input)}: not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SourceError(
      ErrorCode.SourceRefused,
      `refused to fetch ${withoutCredentials(url)}: unsupported scheme ${url.protocol}`,
    );
  }
  // a secret in a URL ends up in logs, the archive and public pages; the message never repeats it
  if (hasCredentials(url)) {
    throw new SourceError(
      ErrorCode.SourceRefused,
      `refused to fetch ${withoutCredentials(url)}: ${CREDENTIALS_REFUSAL}`,
    );
  }
  return url;
}

/** The next exchange after a redirect: the target vetted, the method and credentials adjusted. */
function redirected(previous: Exchange, status: number, location: string): Exchange {
  const url = httpUrl(location, previous.url);
  const headers = { ...previous.headers };
  if (url.origin !== previous.url.origin) for (const name of CREDENTIAL_HEADERS) delete headers[name];
  // 303 always, and 301/302 after a POST (as browsers do), continue as a bodiless GET
  const toGet =
    (status === 303 && previous.method !== 'HEAD') ||
    ((status === 301 || status === 302) && previous.method === 'POST');
  if (!toGet) return { ...previous, url, headers };
  delete headers['content-type'];
  delete headers['content-length'];
  return { url, method: 'GET', headers, body: undefined };
}

/**
 * How much of an announced body length is taken from the shared bound before its first byte: a body this small is
 * refused before it costs anything when it cannot fit; of a larger one, the rest is taken as it arrives, so a source
 * that announces large bodies and then stalls holds only this much each, not what it announced.
 */
export const ANNOUNCED_BYTES_TAKEN_FIRST = 64 * 1024;

/**
 * Reads the whole body, giving up as soon as it is known to exceed the limit, or as soon as the client's bodies
 * being received together would go over their shared bound (a transient failure). See ANNOUNCED_BYTES_TAKEN_FIRST.
 */
async function readLimited(
  body: Readable,
  contentLength: string | undefined,
  { limit, shared }: { limit: number; shared: BodyBudget },
  url: URL,
): Promise<Buffer> {
  const tooLarge = () =>
    new SourceError(ErrorCode.SourceRefused, `${url.host}: response body exceeds ${limit} bytes`);
  const declared = contentLength === undefined ? undefined : Number(contentLength);
  const refuse = (error: SourceError) => {
    // undici reports the destroy as an abort error on the stream; nobody is reading it any more
    body.on('error', () => undefined).destroy();
    return error;
  };
  if (declared !== undefined && declared > limit) throw refuse(tooLarge());
  let held = 0;
  const hold = (bytes: number) => {
    if (!shared.take(bytes)) throw overShared(url.host, shared.limit);
    held += bytes;
  };
  if (declared !== undefined && Number.isSafeInteger(declared) && declared > 0) {
    const first = Math.min(declared, ANNOUNCED_BYTES_TAKEN_FIRST);
    if (!shared.take(first)) throw refuse(overShared(url.host, shared.limit));
    held = first;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      // leaving the loop destroys the stream, which closes the connection mid-body
      if (size + chunk.length > limit) throw tooLarge();
      // past what was taken first: the rest is taken as it comes
      if (size + chunk.length > held) hold(size + chunk.length - held);
      size += chunk.length;
      chunks.push(chunk);
    }
  } finally {
    // the caller holds the body from here on; the bound is on what is still arriving
    shared.give(held);
  }
  return Buffer.concat(chunks, size);
}

/** A request or a body the shared bound refused: our load, not the source's doing. */
function overShared(host: string, limit: number, what = 'response not read'): SourceError {
  return localOverload(
    `${host}: ${what}: this process would be receiving more than ${limit} bytes of response bodies at once ` +
      `(VERBATIM_HTTP_BYTES_IN_FLIGHT)`,
  );
}

/** Everything of a response but its body. */
function responseOf(exchange: AnsweredExchange): Omit<HttpResponse, 'body'> {
  const { res, url, headers, rawHeaders, redirects, retryAt } = exchange;
  return {
    status: res.statusCode,
    headers,
    head: responseHead(res.statusCode, res.statusText, rawHeaders),
    url: url.href,
    redirects,
    retryAt,
  };
}

/** Passes bytes through until more than `limit` have come, then fails with BodyTooLarge. */
function limitedStream(limit: number, url: URL): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > limit) done(new BodyTooLarge(url, limit, null));
      else done(null, chunk);
    },
  });
}

/** The raw header list as a lookup: names lower-cased, repeated values joined with ", ", as HttpResponse promises. */
function flatHeaders(raw: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    headers[name] = name in headers ? `${headers[name]}, ${raw[i + 1]}` : raw[i + 1];
  }
  return headers;
}

/**
 * The status line and header block as received (HTTP/1.1, which is all this client speaks), header names
 * in their case and order with repeats kept. The parser drops only the optional white space around values,
 * so a head is rebuilt with one space after each colon. Latin-1 keeps any byte a server sent in a value.
 */
function responseHead(status: number, statusText: string | undefined, raw: string[]): Buffer {
  let head = `HTTP/1.1 ${status} ${statusText ?? ''}\r\n`;
  for (let i = 0; i + 1 < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return Buffer.from(`${head}\r\n`, 'latin1');
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  if (typeof code === 'string') return code;
  return cause === undefined ? undefined : errorCode(cause);
}
