import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  CaptureWriter,
  nextPollAfterLocalOverload,
  QuotationRecorder,
  type RecheckOutcome,
} from '@app/capture';
import { contentSha256, isLocalOverload } from '@app/core';
import {
  addAccountReads,
  deferRechecks,
  findAccount,
  findRecheckTargets,
  type DueRecheck,
  type RecheckTarget,
} from '@app/persistence';
import { type JobOf } from '@app/queues';
import { ConnectorRegistry, type PostAnswer } from '@app/sources';
import { accountToResolved } from '../poll/account-to-resolved';
import { meterFor } from '../reads/account-read-meter';

/**
 * How long a re-check refused for this process's own load is put off and tried again, from its first deferral in a
 * row; past this its posts are answered `unknown` (rescheduled, as any re-check that learned nothing).
 */
export const RECHECK_DEFERRAL_LIMIT_MS = 3_600_000;

/** The longest wait between two deferred tries of a re-check: a deletion should not wait long to be seen. */
export const RECHECK_DEFERRAL_MAX_WAIT_SECONDS = 300;

/** A re-check put off for our own load: its statements are due again at `until`, nothing else written. */
export interface RecheckDeferral {
  kind: 'deferred';
  /** how many of the job's statements it moved (the others were handled already) */
  statements: number;
  until: Date;
}

/**
 * Re-reads a batch of one account's statements: asks the connector about each post (`fetchMany`) and hands
 * the answers to the capture writer, which claims the statements by their due times, so a replayed job
 * changes nothing. A connector that throws tells us nothing: every post is `unknown` and simply rescheduled.
 * A refusal for our own load is not the source's answer either, and the decaying schedule could put the next
 * look a day away: the statements are put off instead (due again soon, spaced as a deferred poll is, in PostgreSQL
 * so the scheduler offers them again and a flushed Redis keeps the spacing), unchecked.
 */
@Injectable()
export class RecheckStatementsUseCase {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly connectors: ConnectorRegistry,
    private readonly writer: CaptureWriter,
    private readonly quotations: QuotationRecorder,
  ) {}

  async execute({
    accountId,
    statements,
  }: JobOf<'recheck-statements'>): Promise<RecheckOutcome | RecheckDeferral | 'stale'> {
    const due = statements.map((s) => ({ id: s.id, dueAt: new Date(s.dueAt) }));
    const account = await findAccount(this.db.manager, accountId);
    if (!account || account.paused) return 'stale';
    const targets = await findRecheckTargets(this.db.manager, accountId, due);
    if (targets.length === 0) return 'stale';

    const refs = targets.map((t) => ({
      postId: t.externalId,
      url: t.url,
      ...(t.held ? { held: t.held } : {}),
    }));
    let answers: PostAnswer[];
    const now = new Date();
    const connector = this.connectors.forPlatform(account.platform);
    const metering = meterFor(connector, account, now);
    const meter = metering.kind === 'metered' ? metering.meter : undefined;
    try {
      if (metering.kind === 'exhausted') throw metering.error;
      answers = await connector.fetchMany(accountToResolved(account), refs, meter);
    } catch (error) {
      const detail = `re-read failed: ${error instanceof Error ? error.message : String(error)}`;
      answers = refs.map((ref) => ({ kind: 'unknown', ref, detail }));
      if (isLocalOverload(error)) {
        // refused late in a slow call: the spacing counts from the refusal, not from the start of the call
        const { putOff, expired } = deferralOf(targets, due, new Date());
        if (putOff) {
          const moved = await deferRechecks(this.db.manager, putOff.statements, putOff.until);
          if (expired.length === 0) return { kind: 'deferred', statements: moved, until: putOff.until };
        }
        // put off for longer than the limit: those are answered `unknown`, as any re-check that learned nothing
        const work = { account, statements: expired, startedAt: new Date() };
        return this.writer.recordRecheck(work, answers);
      }
    } finally {
      if (meter) await addAccountReads(this.db.manager, account.id, meter.used, now);
    }
    // a web page that changed may embed new posts: only changed pages are read again for quotes
    await this.quotations.recordPagesOf(
      answers.flatMap((a) =>
        a.kind === 'found' && a.ref.held?.contentSha256 !== contentSha256(a.post.content) ? [a.post] : [],
      ),
    );
    const work = { account, statements: due, startedAt: new Date() };
    return this.writer.recordRecheck(work, answers);
  }
}

/** A statement's deferrals are in a row while it comes back near the time it was put off to. */
const DEFERRAL_IN_A_ROW_MS = 600_000;

/**
 * What becomes of statements whose re-check our load refused. Those put off for less than the limit are due again
 * at `until`, spaced as a deferred poll from the oldest first deferral among them; the others are `expired`. A
 * deferral counts from the statement's first one in a row: one that comes back long after its due time (paused,
 * or its platform degraded meanwhile) starts again.
 */
function deferralOf(
  targets: RecheckTarget[],
  due: DueRecheck[],
  now: Date,
): { putOff: { statements: (DueRecheck & { since: Date })[]; until: Date } | null; expired: DueRecheck[] } {
  const dueAt = new Map(due.map((d) => [d.id, d.dueAt]));
  const keep: (DueRecheck & { since: Date })[] = [];
  const expired: DueRecheck[] = [];
  let oldest = now;
  for (const target of targets) {
    const at = dueAt.get(target.id)!;
    const inARow = target.deferredSince && now.getTime() - at.getTime() < DEFERRAL_IN_A_ROW_MS;
    const since = inARow ? target.deferredSince! : now;
    if (now.getTime() - since.getTime() >= RECHECK_DEFERRAL_LIMIT_MS) {
      expired.push({ id: target.id, dueAt: at });
      continue;
    }
    keep.push({ id: target.id, dueAt: at, since });
    if (since < oldest) oldest = since;
  }
  if (keep.length === 0) return { putOff: null, expired };
  const until = nextPollAfterLocalOverload(RECHECK_DEFERRAL_MAX_WAIT_SECONDS, oldest, now);
  return { putOff: { statements: keep, until }, expired };
}
