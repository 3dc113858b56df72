import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { ConnectorRegistry } from './connector-registry';
import { FeedConnector } from './feeds';
import { GuardedHttpClient } from './http';
import { MastodonConnector } from './mastodon';
import { XConnector } from './x';

/** The guarded HTTP client and every connector, most specific first. */
@Module({
  providers: [
    {
      provide: GuardedHttpClient,
      inject: [VERBATIM_CONFIG],
      useFactory: (config: VerbatimConfig) => new GuardedHttpClient(config.fetch),
    },
    {
      provide: ConnectorRegistry,
      inject: [VERBATIM_CONFIG, GuardedHttpClient],
      useFactory: (config: VerbatimConfig, http: GuardedHttpClient) =>
        new ConnectorRegistry([
          new MastodonConnector(http, { backfillLimit: config.polling.backfillLimit }),
          new XConnector(http, { ...config.x, backfillLimit: config.polling.backfillLimit }),
          new FeedConnector(http),
        ]),
    },
  ],
  exports: [ConnectorRegistry, GuardedHttpClient],
})
export class SourcesModule implements OnApplicationShutdown {
  constructor(private readonly http: GuardedHttpClient) {}

  /** Pooled keep-alive sockets would keep the process alive. */
  async onApplicationShutdown(): Promise<void> {
    await this.http.close();
  }
}
