import { ErrorCode, SourceError } from '@app/core';
import { type RawArtifact } from '../connector';
import { type GuardedHttpClient, type HttpResponse, responseArtifacts, throwForStatus } from '../http';

/** The fields every post read asks for: long posts, edits, references, media, links, language, time. */
export const TWEET_QUERY: Readonly<Record<string, string>> = {
  'tweet.fields': 'created_at,author_id,lang,note_tweet,referenced_tweets,attachments,entities,edit_controls',
  expansions: 'attachments.media_keys,referenced_tweets.id',
  'media.fields': 'url,preview_image_url,type,alt_text,variants',
};

/**
 * The X API v2 with an app-only Bearer token. The token goes in the Authorization header of requests to the
 * configured base URL only: redirects are not followed (the header would go with them), and no message
 * Verbatim writes contains it.
 */
export class XApi {
  constructor(
    private readonly http: Pick<GuardedHttpClient, 'request'>,
    private readonly baseUrl: string,
    private readonly bearerToken: string,
  ) {}

  /** The API's host, for messages. */
  get host(): string {
    return new URL(this.baseUrl).host;
  }

  async get(path: string, query: Record<string, string>): Promise<HttpResponse> {
    const url = new URL(this.baseUrl.replace(/\/+$/, '') + path);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return this.http.request(url, {
      headers: { Authorization: `Bearer ${this.bearerToken}`, Accept: 'application/json' },
      followRedirects: false,
    });
  }

  /** Passes a 2xx; otherwise the SourceError a poll or lookup should surface, naming the setting to fix. */
  throwForStatus(response: HttpResponse, what: string): void {
    const { status } = response;
    if (status === 401) {
      throw new SourceError(
        ErrorCode.SourceAuthRequired,
        `${what}: X refused the API token (HTTP 401); check VERBATIM_X_BEARER_TOKEN`,
        401,
      );
    }
    if (status === 403) {
      throw new SourceError(
        ErrorCode.SourceAuthRequired,
        `${what}: the X API token may not make this read (HTTP 403: its plan or project does not allow it)`,
        403,
      );
    }
    if (status >= 300 && status < 400) {
      throw new SourceError(
        ErrorCode.SourceUnavailable,
        `${what}: HTTP ${status} (the X API does not redirect)`,
        status,
      );
    }
    throwForStatus(response, what);
  }
}

export function apiArtifacts(response: HttpResponse): RawArtifact[] {
  return responseArtifacts(response, 'response', 'application/json');
}
