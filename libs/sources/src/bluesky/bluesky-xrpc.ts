import { type RawArtifact } from '../connector';
import { type GuardedHttpClient, type HttpResponse, responseArtifacts } from '../http';

/** XRPC queries (`GET <base>/xrpc/<method>?…`) through the guarded client, without credentials. */
export class Xrpc {
  constructor(
    private readonly http: Pick<GuardedHttpClient, 'request'>,
    private readonly baseUrl: string,
  ) {}

  /** Repeated parameters (getPosts' `uris`) are given as arrays. */
  get(
    method: string,
    params: Record<string, string | string[]>,
    options: { maxBytes?: number; accept?: string } = {},
  ): Promise<HttpResponse> {
    const url = new URL(`${this.baseUrl.replace(/\/+$/, '')}/xrpc/${method}`);
    for (const [name, value] of Object.entries(params)) {
      for (const one of Array.isArray(value) ? value : [value]) url.searchParams.append(name, one);
    }
    return this.http.request(url, {
      headers: { Accept: options.accept ?? 'application/json' },
      ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
    });
  }
}

export function jsonArtifacts(response: HttpResponse): RawArtifact[] {
  return responseArtifacts(response, 'response', 'application/json');
}
