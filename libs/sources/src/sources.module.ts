import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { MetricsService } from '@app/observability';
import { BlueskyConnector } from './bluesky';
import { ConnectorRegistry } from './connector-registry';
import { FeedConnector, feedParsing, type FeedParsing } from './feeds';
import { GuardedHttpClient } from './http';
import { jsonParsing, type JsonParsing } from './json-parsing';
import { MastodonConnector, mastodonParsing, type MastodonParsing } from './mastodon';
import { TelegramConnector, telegramParsing, type TelegramParsing } from './telegram';
import { WebConnector, pageParsing, type PageParsing } from './web';
import { XConnector } from './x';

/** Where feed bodies are parsed: worker threads with a deadline in a built server. */
export const FEED_PARSING = Symbol('FEED_PARSING');
/** Where web pages are parsed: worker threads with a deadline in a built server. */
export const PAGE_PARSING = Symbol('PAGE_PARSING');
/** Where big Mastodon pages are read and converted: a worker thread with a deadline in a built server. */
export const MASTODON_PARSING = Symbol('MASTODON_PARSING');
/** Where big Telegram preview pages are read: a worker thread with a deadline in a built server. */
export const TELEGRAM_PARSING = Symbol('TELEGRAM_PARSING');
/** Where big X and Bluesky JSON bodies are read: a worker thread with a deadline in a built server. */
export const JSON_PARSING = Symbol('JSON_PARSING');

/** The guarded HTTP client and every connector, most specific first. */
@Module({
  providers: [
    {
      provide: GuardedHttpClient,
      inject: [VERBATIM_CONFIG, MetricsService],
      useFactory: (config: VerbatimConfig, metrics: MetricsService) => {
        const client = new GuardedHttpClient(config.fetch);
        metrics.watchHttpBodies(() => ({ inFlight: client.bytesInFlight, limit: client.bytesInFlightLimit }));
        return client;
      },
    },
    {
      provide: FEED_PARSING,
      inject: [VERBATIM_CONFIG],
      useFactory: (config: VerbatimConfig) => feedParsing({ timeoutMs: config.fetch.parseTimeoutMs }),
    },
    {
      provide: PAGE_PARSING,
      inject: [VERBATIM_CONFIG],
      useFactory: (config: VerbatimConfig) => pageParsing({ timeoutMs: config.fetch.parseTimeoutMs }),
    },
    {
      provide: MASTODON_PARSING,
      inject: [VERBATIM_CONFIG],
      useFactory: (config: VerbatimConfig) => mastodonParsing({ timeoutMs: config.fetch.parseTimeoutMs }),
    },
    {
      provide: TELEGRAM_PARSING,
      inject: [VERBATIM_CONFIG],
      useFactory: (config: VerbatimConfig) => telegramParsing({ timeoutMs: config.fetch.parseTimeoutMs }),
    },
    {
      provide: JSON_PARSING,
      inject: [VERBATIM_CONFIG],
      useFactory: (config: VerbatimConfig) => jsonParsing({ timeoutMs: config.fetch.parseTimeoutMs }),
    },
    {
      provide: ConnectorRegistry,
      inject: [
        VERBATIM_CONFIG,
        GuardedHttpClient,
        FEED_PARSING,
        PAGE_PARSING,
        MASTODON_PARSING,
        TELEGRAM_PARSING,
        JSON_PARSING,
      ],
      useFactory: (
        config: VerbatimConfig,
        http: GuardedHttpClient,
        parsing: FeedParsing,
        pages: PageParsing,
        mastodon: MastodonParsing,
        telegram: TelegramParsing,
        json: JsonParsing,
      ) => {
        const feeds = new FeedConnector(http, { parsing });
        return new ConnectorRegistry([
          new MastodonConnector(http, { backfillLimit: config.polling.backfillLimit, parsing: mastodon }),
          new TelegramConnector(http, {
            baseUrl: config.platforms.telegramBaseUrl,
            backfillLimit: config.polling.backfillLimit,
            parsing: telegram,
          }),
          new XConnector(http, {
            ...config.x,
            backfillLimit: config.polling.backfillLimit,
            parsing: json,
          }),
          new BlueskyConnector(http, {
            appViewUrl: config.platforms.blueskyAppViewUrl,
            plcUrl: config.platforms.plcUrl,
            backfillLimit: config.polling.backfillLimit,
            parsing: json,
          }),
          // the web connector reads a URL once and hands feeds to the feed connector: it must come first
          new WebConnector(http, feeds, {
            parsing: pages,
            releasesPerPoll: config.polling.webReleasesPerPoll,
          }),
          feeds,
        ]);
      },
    },
  ],
  exports: [ConnectorRegistry, GuardedHttpClient],
})
export class SourcesModule implements OnApplicationShutdown {
  constructor(
    private readonly http: GuardedHttpClient,
    @Inject(FEED_PARSING) private readonly parsing: FeedParsing,
    @Inject(PAGE_PARSING) private readonly pages: PageParsing,
    @Inject(MASTODON_PARSING) private readonly mastodon: MastodonParsing,
    @Inject(TELEGRAM_PARSING) private readonly telegram: TelegramParsing,
    @Inject(JSON_PARSING) private readonly json: JsonParsing,
  ) {}

  /** Pooled keep-alive sockets and parse threads would keep the process alive. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([
      this.http.close(),
      this.parsing.close(),
      this.pages.close(),
      this.mastodon.close(),
      this.telegram.close(),
      this.json.close(),
    ]);
  }
}
