// Contract of the guarded HTTP client; implemented in guarded-http-client.ts.
export interface HttpRequest {
  method?: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** overrides the configured maximum body size for this request */
  maxBytes?: number;
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
}

export interface HttpClientOptions {
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  allowPrivateNetworks: boolean;
  userAgent: string;
}
