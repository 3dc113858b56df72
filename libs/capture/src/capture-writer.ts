import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Queue } from 'bullmq';
import { DataSource, type EntityManager } from 'typeorm';
import { ErrorCode, SourceError, accountAvailabilityAfter, nextCheckAt } from '@app/core';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { MetricsService } from '@app/observability';
import {
  addAccountReads,
  addAccountReadsByIdentity,
  completePoll,
  completePolls,
  completeQuietPolls,
  completeRechecks,
  failPoll,
  failPolls,
  findRecheckTargets,
  finishCaptureRequest,
  insertStatusEvents,
  isDataException,
  lockAccountAvailability,
  recordCaptureRun,
  recordCaptureRuns,
  setAccountAvailability,
  upsertAccount,
  writeCaptures,
  writeObservations,
  type CaptureSet,
  type PreparedPost,
  type FirstCheck,
  type WrittenCaptures,
} from '@app/persistence';
import { QueueName, scheduleMediaDownloads } from '@app/queues';
import { type PostAnswer, type PollResult } from '@app/sources';
import {
  type CaptureFound,
  type CaptureOutcome,
  type CaptureWork,
  type PollOutcome,
  type PollWork,
  type RecheckOutcome,
  type RecheckWork,
} from './capture-work';
import { GroupCommit } from './group-commit';
import {
  FOUND_POLL_BATCH,
  FOUND_POLL_BATCH_MAX_BYTES,
  FOUND_POLL_BATCH_MAX_VERSIONS,
  FAILED_POLL_BATCH,
  QUIET_POLL_BATCH,
  type FailedPoll,
  type FoundPoll,
  type QuietPoll,
  type StoredPoll,
  failedOutcome,
  failedRun,
  firstPollPerAccount,
  preparedBytes,
  settle,
} from './poll-batches';
import { nextPollAfterFailure, nextPollAfterLocalOverload, nextPollAfterSuccess } from './poll-schedule';
import { type HistoryNotes, preparePosts, type RejectedPost } from './prepare-posts';
import { planRecheck } from './recheck-plan';
import {
  StaleWork,
  asSourceError,
  attempt,
  isLockConflict,
  requestLogAndEvents,
  skippedNote,
} from './writer-support';

const NOTHING_WRITTEN: WrittenCaptures = {
  postsSeen: 0,
  postsNew: 0,
  versionsNew: 0,
  statementIds: [],
  mediaVersions: [],
};

/**
 * The one place that stores what a source showed us. Polls, on-demand captures and rechecks hand it their
 * findings; in one transaction it claims the work item (an account's due time, a queued request), writes
 * statements, versions, artifacts, events and log entries, and records the run; after commit it counts
 * metrics and asks the log to integrate.
 *
 * Anything a source sent that cannot be prepared or stored becomes a recorded source failure with backoff,
 * never an error that makes the job retry unseen; one post the database refuses is skipped and the rest of
 * the page is kept. Only infrastructure errors (database or Redis away) propagate, for the queue to retry.
 */
@Injectable()
export class CaptureWriter {
  private readonly logger = new Logger(CaptureWriter.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
    private readonly metrics: MetricsService,
    @InjectQueue(QueueName.Log) private readonly logQueue: Queue,
    @InjectQueue(QueueName.Outbox) private readonly outboxQueue: Queue,
    @InjectQueue(QueueName.Media) private readonly mediaQueue: Queue,
  ) {}

  private readonly quietPolls = new GroupCommit<QuietPoll, PollOutcome>(
    (polls) => this.writeQuietPolls(polls),
    QUIET_POLL_BATCH,
  );

  private readonly failedPolls = new GroupCommit<FailedPoll, PollOutcome>(
    (polls) => this.writeFailedPolls(polls),
    FAILED_POLL_BATCH,
  );

  /**
   * Stores what a poll found and moves the account to its next due time. A poll whose source said nothing
   * changed joins the current batch of quiet polls, one that found posts the current batch of those (group
   * commit); either resolves when its batch is written.
   */
  recordPoll(work: PollWork, result: PollResult<unknown>): Promise<PollOutcome> {
    if (result.kind === 'unchanged') return this.quietPolls.submit({ work, result });
    return this.recordFoundPoll(work, result);
  }

  private readonly foundPolls = new GroupCommit<FoundPoll, PollOutcome>(
    (polls) => this.writeFoundPolls(polls),
    FOUND_POLL_BATCH,
  );

  /** Prepares (hashes) a poll's posts in the job's own time, then hands them to the current batch. */
  private async recordFoundPoll(
    work: PollWork,
    result: PollResult<unknown> & { kind: 'posts' },
  ): Promise<PollOutcome> {
    const { posts, rejected, histories } = await preparePosts(result.posts);
    this.noteHistories(work.account.platform, work.account.handle, histories);
    const versions = posts.reduce((n, p) => n + 1 + (p.history?.length ?? 0), 0);
    if (versions > FOUND_POLL_BATCH_MAX_VERSIONS || preparedBytes(posts) > FOUND_POLL_BATCH_MAX_BYTES)
      return this.recordOnePoll(work, result, { posts, rejected });
    return this.foundPolls.submit({ work, result, posts, rejected });
  }

  /**
   * One poll in its own transaction: a poll its batch could not write. `prepared` are its posts when they
   * were prepared already (a poll that found posts), else they are prepared here.
   */
  private async recordOnePoll(
    work: PollWork,
    result: PollResult<unknown>,
    prepared?: { posts: PreparedPost[]; rejected: RejectedPost[] },
  ): Promise<PollOutcome> {
    let posts: PreparedPost[];
    let rejected: RejectedPost[];
    if (prepared) ({ posts, rejected } = prepared);
    else {
      let histories: HistoryNotes;
      ({ posts, rejected, histories } = await preparePosts(result.kind === 'posts' ? result.posts : []));
      this.noteHistories(work.account.platform, work.account.handle, histories);
    }
    let written: WrittenCaptures | null;
    let skipped: RejectedPost[];
    try {
      ({ written, skipped } = await this.db.transaction(async (tx) => {
        const claimed = await completePoll(
          tx,
          { accountId: work.account.id, due: work.due },
          {
            cursor: result.cursor,
            nextPollAt: nextPollAfterSuccess(work.due, work.account.pollIntervalSeconds, new Date()),
            status: result.kind === 'posts' ? 'ok' : 'unchanged',
          },
        );
        if (!claimed) return { written: null, skipped: [] };
        const set = { accountId: work.account.id, capturedAt: work.startedAt, posts };
        const stored = await this.writeSet(tx, set);
        const skipped = [...rejected, ...stored.rejected];
        await recordCaptureRun(tx, {
          accountId: work.account.id,
          startedAt: work.startedAt,
          finishedAt: new Date(),
          outcome: stored.written.versionsNew === 0 ? 'unchanged' : 'captured',
          httpStatus: result.httpStatus,
          postsSeen: stored.written.postsSeen + skipped.length,
          postsNew: stored.written.postsNew,
          versionsNew: stored.written.versionsNew,
          ...skippedNote(skipped),
        });
        return { written: stored.written, skipped };
      }));
    } catch (error) {
      if (!isDataException(error)) throw error;
      return this.recordPollFailure(
        work,
        new SourceError(
          ErrorCode.SourceInvalidResponse,
          `could not store what the source sent: ${error.message}`,
        ),
      );
    }
    if (!written) return 'stale';
    const outcome = written.versionsNew === 0 ? 'unchanged' : 'captured';
    this.metrics.polls.inc({ platform: work.account.platform, outcome });
    this.afterCommit(work.account.platform, written, skipped, work.account.handle);
    return outcome;
  }

  /**
   * Writes a batch of quiet polls with one set-based statement (atomic by itself, so one commit): the
   * accounts' claims and schedule, and their capture runs. Each poll's claim is checked on its own: one whose due time was already
   * handled is `stale` and writes nothing. A second poll of an account already in the batch (a replayed job) is
   * written after the batch, on its own, so its claim is checked against the first one's result. Should the
   * database refuse the batch (a class 22 value, a deadlock), every poll of it is written on its own: one bad poll
   * costs only itself. Any other error (the database away, its pool exhausted) fails the batch's jobs alike.
   */
  private async writeQuietPolls(polls: QuietPoll[]): Promise<PromiseSettledResult<PollOutcome>[]> {
    const { inBatch, after } = firstPollPerAccount(polls);
    const batched = inBatch.map((i) => polls[i]);
    let claimed: Set<string>;
    try {
      const now = new Date();
      claimed = await completeQuietPolls(
        this.db.manager,
        batched.map(({ work, result }) => ({
          accountId: work.account.id,
          due: work.due,
          cursor: result.cursor,
          nextPollAt: nextPollAfterSuccess(work.due, work.account.pollIntervalSeconds, now),
          startedAt: work.startedAt,
          httpStatus: result.httpStatus,
        })),
        now,
      );
    } catch (error) {
      // the database away or its pool exhausted: every poll of the batch fails alike, for the queue to retry
      if (!isDataException(error) && !isLockConflict(error)) throw error;
      this.logger.warn(
        `group commit of ${polls.length} quiet poll(s) failed (${(error as Error).message}); writing each on its own`,
      );
      const results: PromiseSettledResult<PollOutcome>[] = [];
      // one after the other, in the order the polls arrived, as they would have been written without batching
      for (const poll of polls) results.push(await settle(this.recordOnePoll(poll.work, poll.result)));
      return results;
    }
    const results = this.claimOutcomes(polls, inBatch, claimed, () => 'unchanged');
    for (const i of after) results[i] = await settle(this.recordOnePoll(polls[i].work, polls[i].result));
    return results;
  }

  /**
   * Writes a batch of polls that found posts in ONE transaction of four statements: every poll's claim (a
   * poll whose due time was already handled is `stale` and writes nothing), the claimed polls' statements,
   * everything their new versions bring (`writeCaptures`: versions, artifacts, events, media items, log
   * entries, exactly what each poll would write alone), and their capture runs. A second poll of an account
   * already in the batch (a replayed job) is written after the batch on its own. Should the batch fail (a
   * value the database refuses, such as a cursor or a post too large to index, or a deadlock), it is rolled
   * back and every poll of it is written on its own, as before group commit: the refused post or poll is a
   * recorded skip or failure, the others are kept. Any other error (the database away) fails every poll of
   * the batch, for the queue to retry.
   */
  private async writeFoundPolls(polls: FoundPoll[]): Promise<PromiseSettledResult<PollOutcome>[]> {
    const { inBatch, after } = firstPollPerAccount(polls);
    const batched = inBatch.map((i) => polls[i]);
    let stored: StoredPoll[];
    try {
      stored = await this.db.transaction((tx) => this.storeFoundPolls(tx, batched));
    } catch (error) {
      // the database or Redis away: every poll of the batch fails alike, for the queue to retry
      if (!isDataException(error) && !isLockConflict(error)) throw error;
      this.logger.warn(
        `group commit of ${polls.length} poll(s) with posts failed (${(error as Error).message}); writing each on its own`,
      );
      const results: PromiseSettledResult<PollOutcome>[] = [];
      for (const poll of polls) results.push(await settle(this.recordOnePoll(poll.work, poll.result, poll)));
      return results;
    }
    const results = new Array<PromiseSettledResult<PollOutcome>>(polls.length);
    const committed: { platform: string; what: string; written: WrittenCaptures; skipped: RejectedPost[] }[] =
      [];
    inBatch.forEach((i, k) => {
      const { work } = polls[i];
      const one = stored[k];
      if (one === null) {
        results[i] = { status: 'fulfilled', value: 'stale' };
        return;
      }
      const outcome: PollOutcome = one.written.versionsNew === 0 ? 'unchanged' : 'captured';
      this.metrics.polls.inc({ platform: work.account.platform, outcome });
      committed.push({ platform: work.account.platform, what: work.account.handle, ...one });
      results[i] = { status: 'fulfilled', value: outcome };
    });
    this.afterBatchCommit(committed);
    for (const i of after)
      results[i] = await settle(this.recordOnePoll(polls[i].work, polls[i].result, polls[i]));
    return results;
  }

  /** The batch's database work, inside its transaction: claims, posts, runs. */
  private async storeFoundPolls(tx: EntityManager, polls: FoundPoll[]): Promise<StoredPoll[]> {
    const now = new Date();
    const claimed = await completePolls(
      tx,
      polls.map(({ work, result }) => ({
        accountId: work.account.id,
        due: work.due,
        cursor: result.cursor,
        nextPollAt: nextPollAfterSuccess(work.due, work.account.pollIntervalSeconds, now),
        status: 'ok',
      })),
    );
    const mine = polls.filter((p) => claimed.has(p.work.account.id));
    // no savepoint: should the database refuse something, the whole batch rolls back and its polls are
    // written one by one, each refused post then costing only itself (a rare path; the common one saves two
    // round trips)
    const written = await writeCaptures(
      tx,
      mine.map((p) => ({ accountId: p.work.account.id, capturedAt: p.work.startedAt, posts: p.posts })),
      this.config.log.origin,
      this.firstCheck,
    );
    const finishedAt = new Date();
    const stored = mine.map((p, k) => ({ written: written[k], skipped: p.rejected }));
    await recordCaptureRuns(
      tx,
      mine.map((p, k) => ({
        accountId: p.work.account.id,
        startedAt: p.work.startedAt,
        finishedAt,
        outcome: stored[k].written.versionsNew === 0 ? 'unchanged' : 'captured',
        httpStatus: p.result.httpStatus,
        postsSeen: stored[k].written.postsSeen + stored[k].skipped.length,
        postsNew: stored[k].written.postsNew,
        versionsNew: stored[k].written.versionsNew,
        ...skippedNote(stored[k].skipped),
      })),
    );
    const byAccount = new Map(mine.map((p, k) => [p.work.account.id, stored[k]]));
    return polls.map((p) => byAccount.get(p.work.account.id) ?? null);
  }

  /**
   * Records a poll that failed, with backoff (or the platform's own retry time, clamped). `notBefore` is our
   * own decision about the next poll (a used-up monthly read budget: next month), taken as it is.
   */
  async recordPollFailure(work: PollWork, error: unknown, notBefore?: Date): Promise<PollOutcome> {
    const failure = asSourceError(error, 'polling');
    // refused for our own load: the source is not at fault, so no backoff and nothing held against it
    const againstSource = failure.code !== ErrorCode.LocalOverload;
    const failures = work.account.consecutiveFailures + (againstSource ? 1 : 0);
    const now = new Date();
    const { pollIntervalSeconds } = work.account;
    const next =
      notBefore ??
      (againstSource
        ? nextPollAfterFailure(failures, pollIntervalSeconds, this.config.polling, failure.retryAt, now)
        : nextPollAfterLocalOverload(pollIntervalSeconds, work.account.deferredSince, now));
    const what = `poll of ${work.account.platform} ${work.account.handle}`;
    // a deferral is our load, counted in verbatim_polls_total; one line each would flood the log when it lasts
    if (againstSource)
      this.logger.warn(
        `${what} failed (${failure.code}): ${failure.message}; next try ${next.toISOString()}`,
      );
    else this.logger.debug(`${what} deferred: ${failure.message}; next try ${next.toISOString()}`);
    return this.failedPolls.submit({
      work,
      failure: {
        nextPollAt: next,
        consecutiveFailures: failures,
        errorCode: failure.code,
        error: failure.message,
        resetCursor: failure.code === ErrorCode.SourceInvalidCursor,
        againstSource,
        httpStatus: failure.httpStatus,
      },
    });
  }

  /**
   * Writes a batch of failed polls in one transaction of two statements: the accounts' claims and retry times,
   * and their capture runs, each claim checked on its own (one already handled is `stale`). As with quiet polls,
   * a second poll of an account in the batch is written after it on its own, and a batch the database refuses (a
   * class 22 value, a deadlock) is written again poll by poll; any other error fails the batch's jobs alike.
   */
  private async writeFailedPolls(polls: FailedPoll[]): Promise<PromiseSettledResult<PollOutcome>[]> {
    const { inBatch, after } = firstPollPerAccount(polls);
    let claimed: Set<string>;
    try {
      claimed = await this.db.transaction(async (tx) => {
        const finishedAt = new Date();
        const batch = inBatch.map((i) => polls[i]);
        const held = await failPolls(
          tx,
          batch.map(({ work, failure }) => ({ accountId: work.account.id, due: work.due, ...failure })),
        );
        await recordCaptureRuns(
          tx,
          batch.filter(({ work }) => held.has(work.account.id)).map((poll) => failedRun(poll, finishedAt)),
        );
        return held;
      });
    } catch (error) {
      // as for quiet polls: only a refusal of what the batch holds is worth writing poll by poll
      if (!isDataException(error) && !isLockConflict(error)) throw error;
      this.logger.warn(
        `group commit of ${polls.length} failed poll(s) failed (${(error as Error).message}); writing each on its own`,
      );
      const results: PromiseSettledResult<PollOutcome>[] = [];
      for (const poll of polls) results.push(await settle(this.writeOneFailure(poll)));
      return results;
    }
    const results = this.claimOutcomes(polls, inBatch, claimed, (i) => failedOutcome(polls[i]));
    for (const i of after) results[i] = await settle(this.writeOneFailure(polls[i]));
    return results;
  }

  /**
   * The outcomes of a batch's polls written together: `won` (of the poll's index) where the account's claim held
   * (counted), else `stale`. The slots of polls written after the batch stay empty for their own results.
   */
  private claimOutcomes(
    polls: { work: PollWork }[],
    inBatch: number[],
    claimed: Set<string>,
    won: (i: number) => PollOutcome,
  ): PromiseSettledResult<PollOutcome>[] {
    const results = new Array<PromiseSettledResult<PollOutcome>>(polls.length);
    for (const i of inBatch) {
      const { work } = polls[i];
      const outcome = claimed.has(work.account.id) ? won(i) : 'stale';
      if (outcome !== 'stale') this.metrics.polls.inc({ platform: work.account.platform, outcome });
      results[i] = { status: 'fulfilled', value: outcome };
    }
    return results;
  }

  private async writeOneFailure(poll: FailedPoll): Promise<PollOutcome> {
    const { work, failure } = poll;
    const claimed = await this.db.transaction(async (tx) => {
      if (!(await failPoll(tx, { accountId: work.account.id, due: work.due }, failure))) return false;
      await recordCaptureRun(tx, failedRun(poll, new Date()));
      return true;
    });
    if (!claimed) return 'stale';
    const outcome = failedOutcome(poll);
    this.metrics.polls.inc({ platform: work.account.platform, outcome });
    return outcome;
  }

  /**
   * Stores what an on-demand capture found, under the account it belongs to, counts the reads it took against
   * that account's budget, and completes the request, in one transaction: a kill can lose all of it (the job
   * runs again and reads again) but never the reads alone.
   */
  async recordCapture(work: CaptureWork, found: CaptureFound, reads = 0): Promise<CaptureOutcome> {
    const { posts, rejected, histories } = await preparePosts(found.posts);
    this.noteHistories(found.account.platform, work.url, histories);
    let result: { written: WrittenCaptures; skipped: RejectedPost[] };
    try {
      result = await this.db.transaction(async (tx) => {
        const account = await upsertAccount(tx, found.account, {
          tracking: false,
          pollIntervalSeconds: this.config.polling.defaultIntervalSeconds,
        });
        const set = { accountId: account.id, capturedAt: new Date(), posts };
        const stored = await this.writeSet(tx, set);
        await addAccountReads(tx, account.id, reads, set.capturedAt);
        const finished = await finishCaptureRequest(tx, work.requestId, {
          state: 'completed',
          attempts: work.attempts + 1,
          statementIds: stored.written.statementIds,
        });
        if (!finished) throw new StaleWork();
        return { written: stored.written, skipped: [...rejected, ...stored.rejected] };
      });
    } catch (error) {
      if (error instanceof StaleWork) {
        // another try finished the request; this one's reads happened all the same
        await addAccountReadsByIdentity(this.db.manager, found.account, reads, new Date());
        return 'stale';
      }
      if (!isDataException(error)) throw error;
      const reason = `could not store what the source sent: ${error.message}`;
      return this.recordCaptureFailure(work, new SourceError(ErrorCode.SourceInvalidResponse, reason));
    }
    this.afterCommit(found.account.platform, result.written, result.skipped, work.url);
    return 'completed';
  }

  /** Fails a capture request for good, saying why. */
  async recordCaptureFailure(work: CaptureWork, error: unknown): Promise<CaptureOutcome> {
    const failure = asSourceError(error, 'capturing');
    this.logger.warn(`capture of ${work.url} failed (${failure.code}): ${failure.message}`);
    const finished = await finishCaptureRequest(this.db.manager, work.requestId, {
      state: 'failed',
      attempts: work.attempts + 1,
      errorCode: failure.code,
      error: failure.message,
    });
    return finished ? 'failed' : 'stale';
  }

  /**
   * Stores what re-reading known posts showed, in one transaction: claims the statements still due at the
   * job's times (a replay claims none), writes new versions for changed content through the same path as
   * polls, runs every answer through the deletion state machine, records each transition as an observation
   * (evidence, event, log entry), updates the account's availability and schedules every statement's next check.
   */
  async recordRecheck(work: RecheckWork, answers: PostAnswer[]): Promise<RecheckOutcome> {
    const found = answers.flatMap((a) => (a.kind === 'found' ? [a.post] : []));
    const { posts, rejected, histories } = await preparePosts(found);
    this.noteHistories(work.account.platform, work.account.handle, histories);
    const byPostId = new Map(answers.map((a) => [a.ref.postId, a]));
    const checkedAt = new Date();
    const result = await this.db.transaction(async (tx) => {
      // the account first, then its statements, in the order a poll's write takes them: locked the other way
      // round, a recheck and a poll of one account could each hold what the other waits for (a deadlock)
      const availability = await lockAccountAvailability(tx, work.account.id);
      const targets = await findRecheckTargets(tx, work.account.id, work.statements, true);
      if (targets.length === 0) return null;
      const claimed = new Set(targets.map((t) => t.externalId));
      const set = {
        accountId: work.account.id,
        capturedAt: checkedAt,
        posts: posts.filter((p) => claimed.has(p.content.postId)),
      };
      // what was observed first, then what changed: a deleted post that comes back edited is restored, then
      // edited, in its events and in the log
      const plan = planRecheck(work.account.id, targets, byPostId, checkedAt, this.config.recheck);
      const observationIds = await writeObservations(tx, plan.observations, this.config.log.origin);
      const stored = await this.writeSet(tx, set);
      const change = accountAvailabilityAfter(availability, plan.answers);
      if (change.event !== null) {
        await setAccountAvailability(tx, work.account.id, change.next, checkedAt);
        // the account event names the first statement whose answer showed the change, and its observation
        const shownBy = plan.observations.findIndex((o) =>
          change.event === 'account.unavailable'
            ? o.status === 'unavailable'
            : o.previousStatus === 'unavailable',
        );
        await insertStatusEvents(tx, [
          {
            type: change.event,
            statementId: shownBy >= 0 ? plan.observations[shownBy].statementId : targets[0].id,
            accountId: work.account.id,
            observationId: shownBy >= 0 ? observationIds[shownBy] : null,
          },
        ]);
      }
      await completeRechecks(tx, checkedAt, plan.statements);
      return {
        checked: targets.length,
        written: stored.written,
        observations: plan.observations.length,
        skipped: [...rejected, ...stored.rejected],
      };
    });
    if (result === null) return { checked: 0, versionsNew: 0, observations: 0 };
    this.afterCommit(
      work.account.platform,
      result.written,
      result.skipped,
      work.account.handle,
      result.observations,
    );
    return {
      checked: result.checked,
      versionsNew: result.written.versionsNew,
      observations: result.observations,
    };
  }

  /** When a statement first captured now is first re-read. */
  private readonly firstCheck: FirstCheck = (publishedAt, capturedAt) =>
    nextCheckAt(this.config.recheck, publishedAt, capturedAt);

  /**
   * Writes one capture set. Should the database refuse something in it (a value it cannot hold), the set is
   * written again one post at a time, so that only the posts it refuses are lost, each with its reason.
   */
  private async writeSet(
    tx: EntityManager,
    set: CaptureSet,
  ): Promise<{ written: WrittenCaptures; rejected: RejectedPost[] }> {
    if (set.posts.length === 0) return { written: NOTHING_WRITTEN, rejected: [] };
    const whole = await attempt(tx, 'capture_set', () =>
      writeCaptures(tx, [set], this.config.log.origin, this.firstCheck),
    );
    if (whole.ok) return { written: whole.value[0], rejected: [] };
    if (set.posts.length === 1)
      return {
        written: NOTHING_WRITTEN,
        rejected: [{ postId: set.posts[0].content.postId, reason: whole.reason }],
      };

    const rejected: RejectedPost[] = [];
    const written: WrittenCaptures = {
      postsSeen: 0,
      postsNew: 0,
      versionsNew: 0,
      statementIds: [],
      mediaVersions: [],
    };
    for (const post of set.posts) {
      const one = await attempt(tx, 'capture_post', () =>
        writeCaptures(tx, [{ ...set, posts: [post] }], this.config.log.origin, this.firstCheck),
      );
      if (!one.ok) {
        rejected.push({ postId: post.content.postId, reason: one.reason });
        continue;
      }
      written.postsSeen += one.value[0].postsSeen;
      written.postsNew += one.value[0].postsNew;
      written.versionsNew += one.value[0].versionsNew;
      written.statementIds.push(...one.value[0].statementIds);
      written.mediaVersions.push(...one.value[0].mediaVersions);
    }
    return { written, rejected };
  }

  /**
   * An edit history that could not be read costs the missed versions only, one cut short the versions it left
   * out: each said in the log and counted.
   */
  private noteHistories(platform: string, what: string, { unread, truncated }: HistoryNotes): void {
    if (unread.length > 0) this.metrics.unreadEditHistories.inc({ platform }, unread.length);
    if (truncated.length > 0) this.metrics.truncatedEditHistories.inc({ platform }, truncated.length);
    const notes = [
      ...unread.map((note) => ({ ...note, how: 'not read' })),
      ...truncated.map((note) => ({ ...note, how: 'cut short' })),
    ];
    for (const { postId, reason, how } of notes.slice(0, 5))
      this.logger.warn(
        `${what}: edit history of post ${postId.slice(0, 100)} ${how}: ${reason.slice(0, 300)}`,
      );
  }

  /** `afterCommit` for a batch: each poll's metrics and notes, and one request of each kind for all of them. */
  private afterBatchCommit(
    polls: { platform: string; what: string; written: WrittenCaptures; skipped: RejectedPost[] }[],
  ): void {
    for (const { platform, what, written, skipped } of polls)
      this.noteStored(platform, written, skipped, what);
    this.requestFollowUps(
      polls.flatMap((p) => p.written.mediaVersions),
      polls.some((p) => p.written.versionsNew > 0),
    );
  }

  private afterCommit(
    platform: string,
    written: WrittenCaptures,
    skipped: RejectedPost[],
    what: string,
    observations = 0,
  ): void {
    this.noteStored(platform, written, skipped, what);
    this.requestFollowUps(written.mediaVersions, written.versionsNew > 0 || observations > 0);
  }

  private noteStored(
    platform: string,
    written: WrittenCaptures,
    skipped: RejectedPost[],
    what: string,
  ): void {
    this.metrics.captures.inc({ platform }, written.versionsNew);
    if (skipped.length > 0) this.logger.warn(`${what}: ${skippedNote(skipped).error}`);
  }

  /** Media downloads, log integration and event sequencing, asked for after commit. */
  private requestFollowUps(mediaVersions: WrittenCaptures['mediaVersions'], logged: boolean): void {
    // media are downloaded by their own jobs, after the versions that list them are committed; if Redis is
    // away, the scheduler finds the pending items later
    if (mediaVersions.length > 0)
      scheduleMediaDownloads(this.mediaQueue, mediaVersions).catch((error: Error) =>
        this.logger.warn(`could not schedule media downloads: ${error.message}`),
      );
    // new versions and observations wait in log_pending and wrote events
    if (logged)
      requestLogAndEvents(
        { log: this.logQueue, outbox: this.outboxQueue },
        this.config.log.checkpointIntervalMs,
        this.logger,
      );
  }
}
