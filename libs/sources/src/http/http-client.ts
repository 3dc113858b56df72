import { type Readable } from 'node:stream';
import { ErrorCode, SourceError } from '@app/core';

// Contract of the guarded HTTP client; implemented in guarded-http-client.ts.
export interface HttpRequest {
  method?: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** overrides the configured maximum body size for this request */
  maxBytes?: number;
  /** overrides the configured total time allowed for this request */
  timeoutMs?: number;
  /** false: answer a redirect as it is instead of following it (a webhook's payload is never re-sent elsewhere) */
  followRedirects?: boolean;
}

export interface HttpResponse {
  status: number;
  /** lower-cased header names; repeated headers joined with ", " */
  headers: Record<string, string>;
  /** the status line and headers as received (see responseHead), kept beside the body as a `response-head` artifact */
  head: Buffer;
  /** the exact bytes received (Accept-Encoding: identity is sent; a compressed body is kept as received) */
  body: Buffer;
  /** the URL that answered, after redirects */
  url: string;
  redirects: string[];
  /**
   * When the host asked us to come back (Retry-After, rate-limit reset), clamped to the client's
   * maxRetryAfterSeconds; null when it did not say. Set by the guarded client.
   */
  retryAt?: Date | null;
}

export interface HttpClientOptions {
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  allowPrivateNetworks: boolean;
  userAgent: string;
  /** the longest wait a source may impose (Retry-After, rate-limit resets); VERBATIM_RETRY_MAX_SECONDS */
  maxRetryAfterSeconds?: number;
  /**
   * the bytes of buffered response bodies (`request`) received at once across all requests,
   * VERBATIM_HTTP_BYTES_IN_FLIGHT; unbounded when absent. Streamed bodies (`download`) are not held and do not count.
   */
  maxBytesInFlight?: number;
}

/** A response whose body is read as a stream (`GuardedHttpClient.download`). */
export interface StreamedResponse extends Omit<HttpResponse, 'body'> {
  /** the exact bytes as they arrive; fails with BodyTooLarge once more than the limit came */
  body: Readable;
}

/**
 * A body larger than the caller allows: refused from its Content-Length before reading, or cut off once more
 * bytes came than allowed. A SourceError (refused), so callers that do not tell it apart treat it as before.
 */
export class BodyTooLarge extends SourceError {
  constructor(
    url: URL,
    readonly limit: number,
    /** the length the server announced, when it announced one */
    readonly declared: number | null,
  ) {
    super(
      ErrorCode.SourceRefused,
      declared === null
        ? `${url.host}: response body exceeds ${limit} bytes`
        : `${url.host}: response body of ${declared} bytes (Content-Length) exceeds ${limit} bytes`,
    );
  }
}
