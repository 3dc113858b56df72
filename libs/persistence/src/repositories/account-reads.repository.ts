import { type EntityManager } from 'typeorm';
import { type AccountEntity } from '../entities/account.entity';

/** The calendar month (UTC) reads are counted in: '2026-05'. */
export function readsMonthOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** The first instant of the next calendar month (UTC): when a used-up monthly budget is whole again. */
export function startOfNextMonth(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
}

/** Reads the account used in the month of `at` (a count from an earlier month is zero now). */
export function readsUsedIn(account: Pick<AccountEntity, 'readsMonth' | 'readsThisMonth'>, at: Date): number {
  return account.readsMonth === readsMonthOf(at) ? account.readsThisMonth : 0;
}

/**
 * Adds reads to the account's count for the month of `at`, starting the count again in a new month. One
 * statement, so concurrent polls and rechecks of one account add up.
 */
export async function addAccountReads(
  db: EntityManager,
  accountId: string,
  reads: number,
  at: Date,
): Promise<void> {
  if (reads <= 0) return;
  await db.query(
    `UPDATE accounts SET
       reads_this_month = CASE WHEN reads_month = $3 THEN reads_this_month + $2 ELSE $2 END,
       reads_month = $3
     WHERE id = $1`,
    [accountId, reads, readsMonthOf(at)],
  );
}

/** The same, for an account known by its identity (an on-demand capture names no account id). */
export async function addAccountReadsByIdentity(
  db: EntityManager,
  identity: { platform: string; sourceUrl: string; externalId: string },
  reads: number,
  at: Date,
): Promise<void> {
  if (reads <= 0) return;
  await db.query(
    `UPDATE accounts SET
       reads_this_month = CASE WHEN reads_month = $5 THEN reads_this_month + $4 ELSE $4 END,
       reads_month = $5
     WHERE platform = $1 AND source_url = $2 AND external_id = $3`,
    [identity.platform, identity.sourceUrl, identity.externalId, reads, readsMonthOf(at)],
  );
}
