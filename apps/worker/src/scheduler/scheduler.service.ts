import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Queue } from 'bullmq';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { scheduleAnchorRetry, scheduleIntegration, unanchoredCheckpoint } from '@app/log';
import { scheduleDelivery, scheduleSequencing } from '@app/alerts';
import {
  findVersionsWithPendingMedia,
  hasClaimableDeliveries,
  hasPendingLogEntries,
  hasUnsequencedEvents,
  markCaptureRequestsOffered,
  markPollsQueued,
  selectDueAccounts,
  selectDueRechecks,
  selectQueuedCaptureRequests,
} from '@app/persistence';
import { JobName, QUEUE_SETTINGS_IN_REDIS, QueueName, jobIds, scheduleMediaDownloads } from '@app/queues';
import { PollHold } from './poll-hold';
import { POLLS_PER_JOB, type PollJob, pollJobs } from './poll-jobs';
import { RepeatingRound } from './repeating-round';

const BATCH = 1000;
/** How long a scheduler's lock on offering polls lasts if it is never released (its process died). */
export const POLL_OFFER_LOCK_MS = 10_000;
const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;
/** polls one tick may enqueue at most, whatever room the queue has (100,000 accounts a minute is ~1,700/s) */
const MAX_POLLS_PER_TICK = 20_000;
/**
 * A poll enqueued this long ago (by the database's clock) whose account is still at that due time may have
 * lost its job (one that failed for good): offer it again. A job still waiting makes the offer a no-op (same
 * job id). A flushed Redis is seen at once (see `queueEpoch`).
 */
export const POLL_REQUEUE_AFTER_MS = 60_000;
/** A capture request still queued this long after it was made may have lost its job (flushed Redis): offer it again. */
const CAPTURE_REQUEUE_AFTER_MS = 10_000;
/**
 * Offered again after this long under the same epoch: its job may have failed for good (and been removed) without
 * the request being finished, as when the process died during its last attempt.
 */
export const CAPTURE_REOFFER_AFTER_MS = 60_000;
/** A checkpoint this old whose anchors are missing has lost its anchor job, or an anchor failed. */
const ANCHOR_SETTLED_MS = 10_000;
/** A media item still pending this long after its version was written has lost its job: enqueue it again. */
const MEDIA_REQUEUE_AFTER_MS = 60_000;

/**
 * The scheduler tick: reads what is due from Postgres and enqueues it in bulk under deterministic job ids.
 * Redis never holds the schedule, so a flushed Redis only delays work until the next tick, and several
 * workers ticking at once enqueue each job once.
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SchedulerService.name);
  private readonly hold: PollHold;
  /**
   * The last due read filled all the room it had: more polls are due than the queue takes, so the next read goes
   * host by host after checking only that any is due. The count that would choose counts up to 5,000 due accounts,
   * and its bitmap scan reads every due entry of the index first, dead ones VACUUM has not removed included: 26–39
   * ms a tick on average in a 300 s bench:scale run behind on its polls. Either way gives the same answer.
   */
  private lastReadFull = false;
  private readonly ticks = new RepeatingRound(
    () => this.tick(),
    (error) => this.logger.warn(`scheduler tick failed: ${error.message}`),
  );

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(QueueName.Poll) private readonly pollQueue: Queue,
    @InjectQueue(QueueName.Capture) private readonly captureQueue: Queue,
    @InjectQueue(QueueName.Log) private readonly logQueue: Queue,
    @InjectQueue(QueueName.Outbox) private readonly outboxQueue: Queue,
    @InjectQueue(QueueName.Webhooks) private readonly webhookQueue: Queue,
    @InjectQueue(QueueName.Recheck) private readonly recheckQueue: Queue,
    @InjectQueue(QueueName.Media) private readonly mediaQueue: Queue,
    @InjectQueue(QueueName.Anchor) private readonly anchorQueue: Queue,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
  ) {
    this.hold = new PollHold(config.polling.queueLimit, config.polling.schedulerTickMs);
  }

  onApplicationBootstrap(): void {
    this.ticks.start(this.config.polling.schedulerTickMs);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.ticks.stop();
  }

  /** One tick; overlapping calls share the tick in progress. */
  tickOnce(): Promise<void> {
    return this.ticks.runOnce();
  }

  /**
   * Enqueues the polls due before the next tick, delayed to their job's first due time: a poll starts when it is
   * due, not up to a tick later. One scheduler at a time (a lock in Redis beside the jobs): two reading the same due
   * polls at once would put them in different groups, so different jobs, and each would read the source. A
   * scheduler that finds another offering leaves its offer to the next tick; a lock its holder never released
   * (a crash) lapses after `POLL_OFFER_LOCK_MS`.
   */
  private async offerPolls(now: Date, epoch: string): Promise<void> {
    const redis = await this.redis();
    const lock = `${this.config.queuePrefix}:verbatim:poll-offer-lock`;
    const token = randomUUID();
    if ((await redis.set(lock, token, 'PX', POLL_OFFER_LOCK_MS, 'NX')) !== 'OK') return;
    try {
      const lookahead = new Date(now.getTime() + this.config.polling.schedulerTickMs);
      const jobs = await this.duePolls(lookahead, now, epoch);
      if (jobs.length === 0) return;
      await redis.incrby(this.offeredKey(), jobs.length);
      await this.pollQueue.addBulk(jobs.map(({ name, data, opts }) => ({ name, data, opts })));
      // the marks only save work: should they fail, the next tick offers these polls again (the same group is a
      // no-op, another group's run of them `stale` or, while the first runs, a second read of the source) and the
      // rest of this tick still runs
      const offered = jobs.flatMap((job) => job.polls);
      await markPollsQueued(this.db.manager, offered, epoch).catch((error: Error) =>
        this.logger.warn(`could not mark ${offered.length} poll(s) as enqueued: ${error.message}`),
      );
    } finally {
      // released only by its holder: one that outlived its lock must not release the next holder's
      await redis.eval(RELEASE_LOCK, 1, lock, token).catch(() => undefined);
    }
  }

  /**
   * The poll jobs to enqueue now: as many as the queue has room for under VERBATIM_POLL_QUEUE_LIMIT (Redis holds a
   * bounded number of jobs however many accounts are tracked; the rest wait in PostgreSQL) and no more than the
   * workers take in a few ticks (`PollHold`), each up to `POLLS_PER_JOB` polls, each host at most its budget for
   * the window.
   */
  private async duePolls(until: Date, now: Date, epoch: string): Promise<PollJob[]> {
    const { polling } = this.config;
    const counts = await this.pollQueue.getJobCounts('waiting', 'paused', 'delayed', 'prioritized', 'active');
    // the counter after the counts: an offer is counted before its jobs are added, so every job seen is counted
    const offered = await (await this.redis()).get(this.offeredKey());
    const held = Object.values(counts).reduce((sum, n) => sum + n, 0);
    const reading = {
      queued: held - counts.active,
      active: counts.active,
      offeredTotal: Number(offered ?? 0),
      atMs: performance.now(),
    };
    const room = this.hold.room(reading);
    if (room <= 0) return [];
    const perHost =
      polling.hostPollsPerSecond > 0
        ? Math.max(1, Math.floor((polling.hostPollsPerSecond * polling.schedulerTickMs) / 1000))
        : undefined;
    const marks = { epoch, requeueAfterMs: POLL_REQUEUE_AFTER_MS };
    const selection = {
      limit: Math.min(MAX_POLLS_PER_TICK, room * POLLS_PER_JOB),
      perHost,
      marks,
      // the polls Redis holds, about: each due read walks past them
      queued: held * POLLS_PER_JOB,
      ...(this.lastReadFull ? { sortAllBelow: 0 } : {}),
    };
    const due = await selectDueAccounts(this.db.manager, until, selection);
    this.lastReadFull = due.length >= selection.limit;
    return pollJobs(due, now, room);
  }

  /**
   * The poll queue's epoch: a random token kept in Redis beside the jobs, so a flushed Redis shows as a new
   * epoch. Polls marked as enqueued under an earlier one lost their jobs and are offered again at once.
   */
  private async queueEpoch(): Promise<string> {
    const redis = await this.redis();
    const key = `${this.config.queuePrefix}:verbatim:poll-epoch`;
    // NX: schedulers starting an epoch at once agree on the first token written
    const started = await redis.set(key, randomUUID(), 'NX');
    // the queues' settings kept in Redis went with whatever took the epoch: BullMQ would put its own back
    if (started === 'OK') await this.keepQueueSettings(redis);
    return (await redis.get(key)) ?? 'none';
  }

  /** The poll queue's Redis connection: BullMQ's client is ioredis underneath, its own interface has no SET NX. */
  private async redis(): Promise<Redis> {
    return (await this.pollQueue.client) as unknown as Redis;
  }

  /** The count of poll jobs every scheduler has offered to the queue, kept beside the jobs (see `PollHold`). */
  private offeredKey(): string {
    return `${this.config.queuePrefix}:verbatim:polls-offered`;
  }

  /** Writes the queues' settings that BullMQ keeps in Redis (as each queue does when it is created). */
  private async keepQueueSettings(redis: Redis): Promise<void> {
    const prefix = this.config.queuePrefix;
    await Promise.all(
      Object.values(QueueName).map((name) => redis.hset(`${prefix}:${name}:meta`, QUEUE_SETTINGS_IN_REDIS)),
    );
  }

  private async tick(): Promise<void> {
    const now = new Date();
    const epoch = await this.queueEpoch();
    await this.offerPolls(now, epoch);
    // rechecks after polls: an account whose poll is due is left for a later tick (new posts first)
    const rechecks = await selectDueRechecks(this.db.manager, now, BATCH, this.config.recheck.batchSize);
    if (rechecks.length > 0) {
      await this.recheckQueue.addBulk(
        rechecks.map(({ accountId, statements }) => ({
          name: JobName.RecheckStatements,
          data: {
            accountId,
            statements: statements.map((s) => ({ id: s.id, dueAt: s.dueAt.toISOString() })),
          },
          opts: { jobId: jobIds.recheck(accountId, statements[0]) },
        })),
      );
    }
    // entries whose integration job was lost (flushed Redis, crash) are picked up here
    if (await hasPendingLogEntries(this.db.manager))
      await scheduleIntegration(this.logQueue, this.config.log.checkpointIntervalMs);
    // the newest checkpoint without its TSA tokens or cosignatures (a lost job, a TSA that was down): asked again
    const unanchored = await unanchoredCheckpoint(this.db.manager, {
      tsaUrls: this.config.log.tsaUrls,
      witnessKeys: this.config.log.witnesses.map((w) => w.key),
      // long enough for the sequencer's own anchor job to have run
      settledMs: Math.min(ANCHOR_SETTLED_MS, this.config.log.anchorRetryMs),
    });
    if (unanchored !== null)
      await scheduleAnchorRetry(this.anchorQueue, unanchored, this.config.log.anchorRetryMs);
    // events and deliveries whose jobs were lost, and retries that came due
    if (await hasUnsequencedEvents(this.db.manager)) await scheduleSequencing(this.outboxQueue);
    if (await hasClaimableDeliveries(this.db.manager)) await scheduleDelivery(this.webhookQueue);
    // a request waiting for its retry time (a backoff, a deferral) is not offered again before it, nor one
    // offered lately under this epoch (one waiting its turn in a long queue would be offered on every tick)
    const orphans = await selectQueuedCaptureRequests(this.db.manager, {
      olderThan: new Date(now.getTime() - CAPTURE_REQUEUE_AFTER_MS),
      now,
      epoch,
      reofferAfterMs: CAPTURE_REOFFER_AFTER_MS,
      limit: BATCH,
    });
    if (orphans.length > 0) {
      await this.captureQueue.addBulk(
        orphans.map((requestId) => ({
          name: JobName.CaptureUrl,
          data: { requestId },
          opts: { jobId: jobIds.capture(requestId) },
        })),
      );
      // as with polls, the marks only save work: without them the next tick offers these again (a no-op)
      await markCaptureRequestsOffered(this.db.manager, orphans, epoch, now).catch((error: Error) =>
        this.logger.warn(`could not mark ${orphans.length} capture request(s) as offered: ${error.message}`),
      );
    }
    // an existing job (waiting or running) keeps its id, so this adds only the lost ones
    const media = await findVersionsWithPendingMedia(
      this.db.manager,
      new Date(now.getTime() - MEDIA_REQUEUE_AFTER_MS),
      BATCH,
    );
    await scheduleMediaDownloads(this.mediaQueue, media);
  }
}
