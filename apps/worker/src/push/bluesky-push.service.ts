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
import { MetricsService } from '@app/observability';
import { pollSoon, recheckSoonByPlatformIds, trackedExternalIds } from '@app/persistence';
import { JetstreamClient, type JetstreamSignal } from '@app/sources';
import { RepeatingRound } from '../scheduler/repeating-round';
import { SchedulerService } from '../scheduler/scheduler.service';

/** How often the tracked DIDs are read again (a newly tracked account is watched within this). */
const DIDS_REFRESH_MS = 10_000;
/** A pushed account is polled at most this often, whatever a source pushes. */
const MIN_SECONDS_BETWEEN_PUSHED_POLLS = 5;
/** Signals are gathered this long and written in one statement each: a burst costs two UPDATEs, not thousands. */
const FLUSH_MS = 200;

/**
 * Bluesky's push path: a Jetstream subscription for the DIDs we track. A post written brings the account's
 * poll forward to now; a post deleted brings its recheck forward. Nothing is captured from the push itself
 * (the poll reads the AppView and the signed record as always), so a lost or forged event costs one early
 * read, and polling at the account's interval stays the fallback for anything the push misses.
 */
@Injectable()
export class BlueskyPushService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BlueskyPushService.name);
  private client: JetstreamClient | null = null;
  private readonly posted = new Set<string>();
  private readonly deleted = new Map<string, { accountExternalId: string; postExternalId: string }>();
  private readonly refreshes = new RepeatingRound(
    () => this.refreshDids(),
    (error) => this.logger.warn(`could not read the tracked Bluesky accounts: ${error.message}`),
  );
  private readonly flushes = new RepeatingRound(
    () => this.flush(),
    (error) => this.logger.warn(`could not act on Jetstream events: ${error.message}`),
  );

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
    private readonly scheduler: SchedulerService,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    const url = this.config.platforms.blueskyJetstreamUrl;
    if (!url) return;
    this.client = new JetstreamClient({
      url,
      allowPrivateNetworks: this.config.fetch.allowPrivateNetworks,
      onSignal: (signal) => this.take(signal),
      onState: (state, detail) => {
        if (state === 'malformed') this.metrics.pushEvents.inc({ source: 'jetstream', kind: 'malformed' });
        else this.metrics.pushConnected.set({ source: 'jetstream' }, state === 'connected' ? 1 : 0);
        const line = `Jetstream ${state}: ${detail}`;
        if (state === 'connected') this.logger.log(line);
        else this.logger.warn(line);
      },
    });
    this.refreshes.start(DIDS_REFRESH_MS);
    this.flushes.start(FLUSH_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.client?.stop();
    await Promise.all([this.refreshes.stop(), this.flushes.stop()]);
  }

  /** Reads the tracked DIDs again now (a test, or an account just tracked, need not wait for the round). */
  refreshNow(): Promise<void> {
    return this.refreshes.runOnce();
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  private async refreshDids(): Promise<void> {
    this.client?.setDids(await trackedExternalIds(this.db.manager, 'bluesky'));
  }

  private take(signal: Extract<JetstreamSignal, { kind: 'posted' | 'deleted' }>): void {
    this.metrics.pushEvents.inc({ source: 'jetstream', kind: signal.kind });
    if (signal.kind === 'posted') this.posted.add(signal.did);
    else this.deleted.set(signal.uri, { accountExternalId: signal.did, postExternalId: signal.uri });
  }

  private async flush(): Promise<void> {
    if (this.posted.size === 0 && this.deleted.size === 0) return;
    const dids = [...this.posted];
    const gone = [...this.deleted.values()];
    this.posted.clear();
    this.deleted.clear();
    const now = new Date();
    // what the database did not take is kept for the next round (a hint dropped here waits for the schedule)
    const polls = await pollSoon(
      this.db.manager,
      'bluesky',
      dids,
      now,
      MIN_SECONDS_BETWEEN_PUSHED_POLLS,
    ).catch((error: unknown) => {
      for (const did of dids) this.posted.add(did);
      for (const hint of gone) this.deleted.set(hint.postExternalId, hint);
      throw error;
    });
    const rechecks = await recheckSoonByPlatformIds(this.db.manager, 'bluesky', gone, now).catch(
      (error: unknown) => {
        for (const hint of gone) this.deleted.set(hint.postExternalId, hint);
        throw error;
      },
    );
    if (polls.length > 0 || rechecks > 0) await this.scheduler.tickOnce();
  }
}
