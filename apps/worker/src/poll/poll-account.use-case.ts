import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CaptureWriter, GroupCommit, QuotationRecorder, type PollOutcome, type PollWork } from '@app/capture';
import { MetricsService } from '@app/observability';
import { addAccountReads, findPollAccounts, recheckSoon, type PollAccount } from '@app/persistence';
import { ConnectorRegistry, type PollResult } from '@app/sources';
import { type JobOf } from '@app/queues';
import { meterFor } from '../reads/account-read-meter';
import { accountToResolved } from './account-to-resolved';

export { type PollOutcome } from '@app/capture';

/**
 * Polls one account once: asks its connector what is new since the cursor and hands the answer, or the
 * failure, to the capture writer. A job for a due time that was already handled (a replay after a crash or
 * a flushed Redis) changes nothing. On a platform paid per read, the reads are counted on the account (also
 * when the poll fails halfway), and an account whose monthly budget is used up is not read until next month.
 */
@Injectable()
export class PollAccountUseCase {
  /**
   * Concurrent jobs read their accounts in one query, as the capture writer writes quiet polls in one
   * transaction: a poll's own database work is then a share of two statements, not one of its own.
   */
  private readonly accounts = new GroupCommit<string, PollAccount | null>(
    async (ids) => {
      const found = new Map((await findPollAccounts(this.db.manager, ids)).map((a) => [a.id, a]));
      return ids.map((id) => ({ status: 'fulfilled', value: found.get(id) ?? null }));
    },
    { maxSize: 128, maxWaitMs: 2 },
  );

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly connectors: ConnectorRegistry,
    private readonly writer: CaptureWriter,
    private readonly metrics: MetricsService,
    private readonly quotations: QuotationRecorder,
  ) {}

  async execute({ accountId, dueAt }: JobOf<'poll-account'>): Promise<PollOutcome> {
    const account = await this.accounts.submit(accountId);
    const due = new Date(dueAt);
    if (!account || !account.tracking || account.paused || account.nextPollAt.getTime() !== due.getTime())
      return 'stale';

    const work: PollWork = { account, due, startedAt: new Date() };
    this.metrics.pollLateness.observe(
      { platform: account.platform },
      Math.max(0, work.startedAt.getTime() - due.getTime()) / 1000,
    );
    const stopTimer = this.metrics.pollDuration.startTimer({ platform: account.platform });
    try {
      let result: PollResult<unknown>;
      try {
        const connector = this.connectors.forPlatform(account.platform);
        const metering = meterFor(connector, account, work.startedAt);
        if (metering.kind === 'exhausted')
          return await this.writer.recordPollFailure(work, metering.error, metering.until);
        const meter = metering.kind === 'metered' ? metering.meter : undefined;
        try {
          result = await connector.poll(
            accountToResolved(account),
            connector.readCursor(account.cursor),
            meter,
          );
        } finally {
          if (meter) await addAccountReads(this.db.manager, account.id, meter.used, work.startedAt);
        }
      } catch (error) {
        return await this.writer.recordPollFailure(work, error);
      }
      if (result.kind === 'posts') await this.quotations.recordPagesOf(result.posts);
      // the listing skipped posts we hold: re-read them now rather than at their scheduled time. Before the
      // poll is recorded, whose commit makes a replay stale: a kill between the two then loses nothing, and
      // bringing a recheck forward twice is the same as once
      if (result.suspectedMissing?.length)
        await recheckSoon(this.db.manager, account.id, result.suspectedMissing, new Date());
      return await this.writer.recordPoll(work, result);
    } finally {
      stopTimer();
    }
  }
}
