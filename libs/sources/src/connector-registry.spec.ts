import { testHttpClient } from '@app/testing/test-http-client';
import { ErrorCode, VerbatimError } from '@app/core';
import { ConnectorRegistry } from './connector-registry';
import { FeedConnector } from './feeds';
import { BlueskyConnector } from './bluesky';
import { type GuardedHttpClient } from './http';
import { MastodonConnector } from './mastodon';
import { TelegramConnector } from './telegram';
import { XConnector } from './x';

let http: GuardedHttpClient;
let registry: ConnectorRegistry;

beforeEach(() => {
  http = testHttpClient();
  // the fallback first on purpose: the registry, not the array order, decides that it is asked last
  registry = new ConnectorRegistry([
    new FeedConnector(http),
    new MastodonConnector(http),
    new XConnector(http, {
      apiBaseUrl: 'https://api.x.com',
      bearerToken: null,
      syndicationBaseUrl: 'https://cdn.syndication.twimg.com',
      oembedBaseUrl: 'https://publish.x.com',
      monthlyReadBudget: 10_000,
    }),
  ]);
});

afterEach(async () => {
  await http.close();
});

function refusal(track: () => unknown): VerbatimError {
  try {
    track();
  } catch (error) {
    if (error instanceof VerbatimError) return error;
    throw error;
  }
  throw new Error('expected a VerbatimError');
}

describe('ConnectorRegistry', () => {
  it.each([
    ['https://www.instagram.com/someone', 'Instagram'],
    ['https://youtube.com/channel/UCsomeone', 'YouTube'],
  ])('refuses to track %s, naming %s and the platforms that are supported', (url, platform) => {
    const error = refusal(() => registry.forTracking(url));
    expect(error.code).toBe(ErrorCode.UnsupportedUrl);
    expect(error.message).toContain(`${platform} is not supported by this installation`);
    expect(error.message).toContain('a Mastodon profile URL (https://host/@user)');
    expect(error.message).toContain('an RSS or Atom feed URL');
  });

  it('gives Bluesky profiles and posts to Bluesky, and answers other bsky.app pages naming their shape', () => {
    const withBluesky = new ConnectorRegistry([
      new BlueskyConnector(http, {
        appViewUrl: 'https://public.api.bsky.app',
        plcUrl: 'https://plc.directory',
      }),
      new FeedConnector(http),
    ]);
    expect(withBluesky.forTracking('https://bsky.app/profile/mfa.gov.ua').connector.platform).toBe('bluesky');
    expect(
      withBluesky.forTracking('https://bsky.app/profile/did:plc:pjlhgjhb34k4zufrtbh2jyms').connector.platform,
    ).toBe('bluesky');
    expect(
      withBluesky.forCapture('https://bsky.app/profile/mfa.gov.ua/post/3lyl2ioyvhs2e').connector.platform,
    ).toBe('bluesky');
    for (const url of ['https://bsky.app/profile/someone', 'https://bsky.app/search?q=x']) {
      const error = refusal(() => withBluesky.forTracking(url));
      expect(error.code).toBe(ErrorCode.UnsupportedUrl);
      expect(error.message).toContain('expected a Bluesky profile URL (https://bsky.app/profile/handle)');
    }
  });

  it('gives X profiles and posts to X, and answers other X pages naming what X URLs look like', () => {
    expect(registry.forTracking('https://twitter.com/DmytroKuleba').connector.platform).toBe('x');
    expect(
      registry.forCapture('https://x.com/DmytroKuleba/status/1497866361043742722').connector.platform,
    ).toBe('x');
    for (const url of ['https://x.com/home', 'https://x.com/DmytroKuleba/status/1/analytics']) {
      const error = refusal(() => registry.forTracking(url));
      expect(error.code).toBe(ErrorCode.UnsupportedUrl);
      expect(error.message).toContain('expected an X profile URL (https://x.com/user)');
    }
  });

  it('refuses what is not an http(s) URL, naming the platforms that are supported', () => {
    for (const url of ['not a url', 'ftp://example.org/feed.xml']) {
      const error = refusal(() => registry.forTracking(url));
      expect(error.code).toBe(ErrorCode.UnsupportedUrl);
      expect(error.message).toContain('Supported: a Mastodon profile URL');
    }
  });

  it('refuses a URL with a user name or password for tracking and capture, without repeating the secret', () => {
    for (const url of ['https://user:pass@example.org/feed.xml', 'https://user@mastodon.social/@Gargron']) {
      for (const claim of [() => registry.forTracking(url), () => registry.forCapture(url)]) {
        const error = refusal(claim);
        expect(error.code).toBe(ErrorCode.InvalidInput);
        expect(error.message).toContain('user name or password are not accepted');
        expect(error.message).not.toContain('user:pass@');
        expect(error.message).not.toContain('user@mastodon');
      }
    }
  });

  it('gives a Mastodon profile to Mastodon although the fallback came first', () => {
    const { connector, url } = registry.forTracking('https://mastodon.social/@Gargron');
    expect(connector.platform).toBe('mastodon');
    expect(url.href).toBe('https://mastodon.social/@Gargron');
    expect(
      registry.forCapture('https://mastodon.social/@Gargron/103270115826048975').connector.platform,
    ).toBe('mastodon');
  });

  it('gives t.me and telegram.me channels and posts to Telegram once its connector is registered', () => {
    const withTelegram = new ConnectorRegistry([
      new FeedConnector(http),
      new MastodonConnector(http),
      new TelegramConnector(http),
    ]);
    for (const url of ['https://t.me/mfa_ukraine', 'https://www.telegram.me/s/mfa_ukraine'])
      expect(withTelegram.forTracking(url).connector.platform).toBe('telegram');
    expect(withTelegram.forCapture('https://t.me/mfa_ukraine/123').connector.platform).toBe('telegram');
    // not a channel: no longer named as an unsupported platform, so the feed fallback may take it
    expect(withTelegram.forTracking('https://t.me/joinchat/abc').connector.platform).toBe('feed');
  });

  it('gives any other https URL to the feed fallback', () => {
    expect(registry.forTracking('https://mfa.example.gov/press/rss.xml').connector.platform).toBe('feed');
    expect(registry.forCapture('https://mfa.example.gov/press/rss.xml').connector.platform).toBe('feed');
  });

  it('lists specific connectors before the fallback', () => {
    expect(registry.platforms).toEqual(['mastodon', 'x', 'feed']);
    expect(registry.forPlatform('feed').fallback).toBe(true);
  });
});
