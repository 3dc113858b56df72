import { GuardedHttpClient, type HttpClientOptions } from '@app/sources';

/** Options for a guarded client in tests: fakes live on 127.0.0.1, so the private-network guard is off. */
export const TEST_HTTP_OPTIONS: HttpClientOptions = {
  connectTimeoutMs: 2000,
  totalTimeoutMs: 5000,
  maxBytes: 10 * 1024 * 1024,
  maxRedirects: 5,
  allowPrivateNetworks: true,
  userAgent: 'Verbatim-test',
};

export function testHttpClient(overrides: Partial<HttpClientOptions> = {}): GuardedHttpClient {
  return new GuardedHttpClient({ ...TEST_HTTP_OPTIONS, ...overrides });
}
