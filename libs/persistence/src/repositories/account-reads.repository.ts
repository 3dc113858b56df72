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
export function addAccountReads(
  db: EntityManager,
  accountId: string,
  reads: number,
  at: Date,
): Promise<void> {
  return addReads(db, 'id = $3', [accountId], reads, at);
}

/** The same, for an account known by its identity (an on-demand capture names no account id). */
export function addAccountReadsByIdentity(
  db: EntityManager,
  identity: { platform: string; sourceUrl: string; externalId: string },
  reads: number,
  at: Date,
): Promise<void> {
  return addReads(
    db,
    'platform = $3 AND source_url = $4 AND external_id = $5',
    [identity.platform, identity.sourceUrl, identity.externalId],
    reads,
    at,
  );
}

/** `where` names the account with parameters from $3 on. */
async function addReads(
  db: EntityManager,
  where: string,
  params: string[],
  reads: number,
  at: Date,
): Promise<void> {
  if (reads <= 0) return;
  await db.query(
    `UPDATE accounts SET
       reads_this_month = CASE WHEN reads_month = $2 THEN reads_this_month + $1 ELSE $1 END,
       reads_month = $2
     WHERE ${where}`,
    [reads, readsMonthOf(at), ...params],
  );
}
