import { ErrorCode, VerbatimError, type Platform } from '@app/core';
import { type Connector } from './connector';

/**
 * The connectors, most specific first: the first that recognises a URL handles it. The feed connector
 * takes any http(s) URL, so it comes last.
 */
export class ConnectorRegistry {
  constructor(private readonly connectors: Connector[]) {}

  forPlatform(platform: Platform): Connector {
    const connector = this.connectors.find((c) => c.platform === platform);
    if (!connector)
      throw new VerbatimError(ErrorCode.InvalidInput, `no connector for platform "${platform}"`);
    return connector;
  }

  forTracking(rawUrl: string): { connector: Connector; url: URL } {
    const url = parseUrl(rawUrl, this.supported);
    const connector = this.connectors.find((c) => c.canTrack(url));
    if (!connector) throw this.unsupported(rawUrl, 'track');
    return { connector, url };
  }

  forCapture(rawUrl: string): { connector: Connector; url: URL } {
    const url = parseUrl(rawUrl, this.supported);
    const connector = this.connectors.find((c) => c.canCapture(url));
    if (!connector) throw this.unsupported(rawUrl, 'capture');
    return { connector, url };
  }

  /** e.g. "a Mastodon profile URL (https://host/@user), an RSS or Atom feed URL" */
  get supported(): string {
    return this.connectors.map((c) => c.describes).join('; ');
  }

  private unsupported(rawUrl: string, what: string): VerbatimError {
    return new VerbatimError(
      ErrorCode.UnsupportedUrl,
      `cannot ${what} ${JSON.stringify(rawUrl)}: no connector supports it. Supported: ${this.supported}`,
    );
  }
}

/** `supported` goes into the error so the caller learns what would have worked. */
function parseUrl(raw: string, supported: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new VerbatimError(
      ErrorCode.UnsupportedUrl,
      `${JSON.stringify(raw)} is not an absolute URL (expected https://…). Supported: ${supported}`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new VerbatimError(
      ErrorCode.UnsupportedUrl,
      `${JSON.stringify(raw)}: only http and https URLs are supported. Supported: ${supported}`,
    );
  }
  return url;
}
