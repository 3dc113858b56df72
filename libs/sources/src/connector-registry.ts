import { ErrorCode, VerbatimError, type Platform } from '@app/core';
import { type Connector } from './connector';
import { refuseCredentialsInUrl } from './url-credentials';

/**
 * Platforms people will paste URLs of that this build has no connector for. The generic fallback would
 * otherwise take them as web feeds and fail on the network; naming them gives a clear 400 instead.
 */
const NOT_YET_SUPPORTED: Record<string, string> = {
  'facebook.com': 'Facebook',
  'instagram.com': 'Instagram',
  'youtube.com': 'YouTube',
  'tiktok.com': 'TikTok',
};

/**
 * The connectors. A URL goes to the first specific connector whose shape check recognises it; fallback
 * connectors (generic feeds, pages) are asked only after every specific one declined.
 */
export class ConnectorRegistry {
  private readonly connectors: Connector[];

  constructor(connectors: Connector[]) {
    this.connectors = [...connectors.filter((c) => !c.fallback), ...connectors.filter((c) => c.fallback)];
  }

  /** The platforms this build can read, e.g. for the API's error messages and the docs. */
  get platforms(): string[] {
    return this.connectors.map((c) => c.platform);
  }

  /**
   * Refuses a platform filter this build does not read (`platform: …`): a misspelt platform would find nothing,
   * which reads as an archive with nothing to show.
   */
  refuseUnknownPlatform(platform: string | undefined): void {
    if (platform === undefined || this.platforms.includes(platform)) return;
    throw new VerbatimError(
      ErrorCode.InvalidInput,
      `platform: ${JSON.stringify(platform)} is no platform this archive reads; one of ${[...this.platforms].sort().join(', ')}`,
    );
  }

  forPlatform(platform: Platform): Connector {
    const connector = this.connectors.find((c) => c.platform === platform);
    if (!connector)
      throw new VerbatimError(ErrorCode.InvalidInput, `no connector for platform "${platform}"`);
    return connector;
  }

  forTracking(rawUrl: string): { connector: Connector; url: URL } {
    return this.claim(rawUrl, 'track', (c, url) => c.canTrack(url));
  }

  forCapture(rawUrl: string): { connector: Connector; url: URL } {
    return this.claim(rawUrl, 'capture', (c, url) => c.canCapture(url));
  }

  private claim(
    rawUrl: string,
    what: string,
    claims: (connector: Connector, url: URL) => boolean,
  ): { connector: Connector; url: URL } {
    const url = parseUrl(rawUrl, this.supported);
    const specific = this.connectors.find((c) => !c.fallback && claims(c, url));
    if (specific) return { connector: specific, url };
    const owner = this.connectors.find((c) => c.ownsHost?.(url));
    if (owner) {
      throw new VerbatimError(
        ErrorCode.UnsupportedUrl,
        `cannot ${what} ${JSON.stringify(rawUrl)}: expected ${owner.describes}`,
      );
    }
    const platform = notYetSupported(url);
    if (platform) {
      throw new VerbatimError(
        ErrorCode.UnsupportedUrl,
        `cannot ${what} ${JSON.stringify(rawUrl)}: ${platform} is not supported by this installation. Supported: ${this.supported}`,
      );
    }
    const fallback = this.connectors.find((c) => c.fallback && claims(c, url));
    if (!fallback) throw this.unsupported(rawUrl, what);
    return { connector: fallback, url };
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

function notYetSupported(url: URL): string | undefined {
  const host = url.hostname.toLowerCase().replace(/^www\./, '');
  return NOT_YET_SUPPORTED[host];
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
  // before any connector sees it: a secret in a tracked URL would be stored and shown to anonymous readers
  refuseCredentialsInUrl(url);
  return url;
}
