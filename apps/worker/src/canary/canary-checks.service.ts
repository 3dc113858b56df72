import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { canaryOutcomeOf, decideCanary, type CanaryOutcome } from '@app/core';
import {
  claimDueCanaries,
  recordCanaryCheck,
  syncCanaries,
  type CanaryClaim,
  type CanarySetting,
} from '@app/persistence';
import { ConnectorRegistry, taskWallBoundMs, type ResolvedAccount } from '@app/sources';
import { RepeatingRound } from '../scheduler/repeating-round';

/**
 * Platform health canaries (`VERBATIM_CANARIES`): each platform's known public account is read on a schedule.
 * A check failing the way a format change or a login wall does marks the platform degraded, which raises
 * `connector.degraded` and pauses its polls and rechecks (they would all fail the same way and fill the
 * error log); the first good check raises `connector.recovered` and polling resumes. Checks are claimed in
 * PostgreSQL, so several workers check each canary once, and a worker killed mid-check only delays it.
 */
@Injectable()
export class CanaryChecksService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CanaryChecksService.name);
  private readonly rounds = new RepeatingRound(
    () => this.checkDue(),
    (error) => this.logger.warn(`canary checks failed: ${error.message}`),
  );

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly connectors: ConnectorRegistry,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await syncCanaries(this.db.manager, this.settings());
    if (this.config.canaries.urls.length > 0) this.rounds.start(this.config.polling.schedulerTickMs);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.rounds.stop();
  }

  /** Checks every canary that is due; overlapping calls share the round in progress. */
  tickOnce(): Promise<void> {
    return this.rounds.runOnce();
  }

  /** The configured canaries by platform; a URL no connector tracks is reported and left out. */
  private settings(): CanarySetting[] {
    const settings = new Map<string, CanarySetting>();
    for (const url of this.config.canaries.urls) {
      try {
        const { connector } = this.connectors.forTracking(url);
        if (settings.has(connector.platform))
          this.logger.warn(`VERBATIM_CANARIES: ${url} replaces ${settings.get(connector.platform)!.url}`);
        settings.set(connector.platform, { platform: connector.platform, url });
      } catch (error) {
        this.logger.error(
          `VERBATIM_CANARIES: ${url} is not an account Verbatim can track: ${(error as Error).message}`,
        );
      }
    }
    return [...settings.values()];
  }

  private async checkDue(): Promise<void> {
    const now = new Date();
    // a check makes a few requests, each bounded by the HTTP client's total timeout
    // a parse kept off the cores may run STARVED_WALL_FACTOR times its deadline, on a thread still loading
    const leaseMs = this.config.fetch.totalTimeoutMs * 4 + taskWallBoundMs(this.config.fetch.parseTimeoutMs);
    const claims = await claimDueCanaries(this.db.manager, now, leaseMs);
    await Promise.all(claims.map((claim) => this.check(claim)));
  }

  private async check(claim: CanaryClaim): Promise<void> {
    const { outcome, account, cursor } = await this.read(claim);
    const decision = decideCanary(claim, outcome, this.config.canaries);
    const reason = outcome.kind === 'ok' ? null : outcome.reason;
    await recordCanaryCheck(this.db.manager, claim, {
      decision,
      reason,
      account,
      cursor,
      checkedAt: new Date(),
    });
    if (decision.event === 'connector.degraded')
      this.logger.error(`${claim.platform} connector degraded, polling paused: ${reason}`);
    else if (decision.event === 'connector.recovered')
      this.logger.log(`${claim.platform} connector recovered, polling resumes`);
  }

  /**
   * Reads the canary as a poll would. The account is resolved once, on the first good check: later, a known
   * public account that no longer resolves would look like a missing account, not a broken connector. A
   * canary that never showed a post is as broken as one that fails.
   */
  private async read(
    claim: CanaryClaim,
  ): Promise<{ outcome: CanaryOutcome; account: unknown; cursor: unknown }> {
    try {
      const { connector, url } = this.connectors.forTracking(claim.canaryUrl);
      const firstRead = !claim.account;
      const account = firstRead ? await connector.resolve(url) : (claim.account as ResolvedAccount);
      // a platform paid per read (X) reads one page, not a whole backfill
      let reads = 0;
      const meter = {
        get remaining() {
          return 1 - reads;
        },
        add: (n: number) => void (reads += n),
      };
      const result = await connector.poll(
        account,
        connector.readCursor(firstRead ? {} : claim.cursor),
        meter,
      );
      if (firstRead && result.kind === 'unchanged') {
        return {
          outcome: {
            kind: 'broken',
            reason: `the canary ${claim.canaryUrl} showed no posts at all: the platform's pages may have changed`,
          },
          account: null,
          cursor: {},
        };
      }
      return { outcome: { kind: 'ok' }, account, cursor: result.cursor };
    } catch (error) {
      const outcome = canaryOutcomeOf(error instanceof Error ? error : new Error(String(error)));
      return { outcome, account: claim.account, cursor: claim.cursor };
    }
  }
}
