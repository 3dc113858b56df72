import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ErrorCode, SourceError, VerbatimError } from '@app/core';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { findAccount, upsertAccount, type AccountEntity } from '@app/persistence';
import { ConnectorRegistry, type ResolvedAccount } from '@app/sources';
import { refusePollIntervalBelowMinimum } from './poll-interval-minimum';

/** Starts tracking an account: recognise the URL, look the account up on its platform, schedule its first poll now. */
@Injectable()
export class TrackAccountUseCase {
  private readonly logger = new Logger('TrackAccount');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly connectors: ConnectorRegistry,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
  ) {}

  async execute(input: { url: string; pollIntervalSeconds?: number }): Promise<AccountEntity> {
    refusePollIntervalBelowMinimum(input.pollIntervalSeconds, this.config.polling);
    // the configuration keeps the default at or above the minimum (env.schema.ts)
    const interval = input.pollIntervalSeconds ?? this.config.polling.defaultIntervalSeconds;
    const { connector, url } = this.connectors.forTracking(input.url);
    let resolved: ResolvedAccount;
    try {
      resolved = await connector.resolve(url);
    } catch (error) {
      if (!(error instanceof VerbatimError)) {
        // not a failure a connector names: what the source sent broke the reading of it (or our code did),
        // which is the source's answer being unreadable to the person asking, and a stack for the operator
        this.logger.warn(`reading ${url.href} failed: ${(error as Error).stack ?? String(error)}`);
        throw new SourceError(
          ErrorCode.SourceInvalidResponse,
          `could not read what ${url.host} answered for ${url.href} (${(error as Error).name ?? 'Error'}); the server log has the details`,
        );
      }
      if (error instanceof SourceError && error.code === ErrorCode.SourceInvalidResponse) {
        throw new VerbatimError(
          ErrorCode.UnsupportedUrl,
          `${error.message}. Supported: ${this.connectors.supported}`,
        );
      }
      throw error;
    }
    const saved = await upsertAccount(this.db.manager, resolved, {
      tracking: true,
      pollIntervalSeconds: interval,
    });
    if (saved.wasTracking) {
      throw new VerbatimError(
        ErrorCode.AlreadyExists,
        `${resolved.platform} account ${resolved.handle} is already tracked (id ${saved.id})`,
        {
          id: saved.id,
        },
      );
    }
    return (await findAccount(this.db.manager, saved.id))!;
  }
}
