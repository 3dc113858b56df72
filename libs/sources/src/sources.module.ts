import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { BlueskyConnector } from './bluesky';
import { ConnectorRegistry } from './connector-registry';
import { FeedConnector, feedParsing, type FeedParsing } from './feeds';
import { GuardedHttpClient } from './http';
import { MastodonConnector } from './mastodon';
import { TelegramConnector } from './telegram';
import { XConnector } from './x';

/** Where feed bodies are parsed: worker threads with a deadline in a built server. */
export const FEED_PARSING = Symbol('FEED_PARSING');

/** The guarded HTTP client and every connector, most specific first. */
@Module({
  providers: [
    {
      provide: GuardedHttpClient,
      inject: [VERBATIM_CONFIG],
      useFactory: (config: VerbatimConfig) => new GuardedHttpClient(config.fetch),
    },
    {
      provide: FEED_PARSING,
      inject: [VERBATIM_CONFIG],
      useFactory: (config: VerbatimConfig) => feedParsing({ timeoutMs: config.fetch.parseTimeoutMs }),
    },
    {
      provide: ConnectorRegistry,
      inject: [VERBATIM_CONFIG, GuardedHttpClient, FEED_PARSING],
      useFactory: (config: VerbatimConfig, http: GuardedHttpClient, parsing: FeedParsing) =>
        new ConnectorRegistry([
          new MastodonConnector(http, { backfillLimit: config.polling.backfillLimit }),
          new TelegramConnector(http, {
            baseUrl: config.platforms.telegramBaseUrl,
            backfillLimit: config.polling.backfillLimit,
          }),
          new XConnector(http, { ...config.x, backfillLimit: config.polling.backfillLimit }),
          new BlueskyConnector(http, {
            appViewUrl: config.platforms.blueskyAppViewUrl,
            plcUrl: config.platforms.plcUrl,
            backfillLimit: config.polling.backfillLimit,
          }),
          new FeedConnector(http, { parsing }),
        ]),
    },
  ],
  exports: [ConnectorRegistry, GuardedHttpClient],
})
export class SourcesModule implements OnApplicationShutdown {
  constructor(
    private readonly http: GuardedHttpClient,
    @Inject(FEED_PARSING) private readonly parsing: FeedParsing,
  ) {}

  /** Pooled keep-alive sockets and parse threads would keep the process alive. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.http.close(), this.parsing.close()]);
  }
}
