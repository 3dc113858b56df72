import { type EntityManager } from 'typeorm';
import { AccountEntity } from '../entities/account.entity';
import { readsMonthOf, readsUsedIn } from '../repositories/account-reads.repository';

/** An account as the API shows it: identity, schedule and the health of its last poll. */
export interface AccountView {
  id: string;
  platform: string;
  handle: string;
  displayName: string | null;
  url: string;
  sourceUrl: string;
  tracking: boolean;
  paused: boolean;
  pollIntervalSeconds: number;
  nextPollAt: string | null;
  lastPolledAt: string | null;
  lastPollStatus: string;
  lastError: string | null;
  lastErrorCode: string | null;
  consecutiveFailures: number;
  /**
   * since when its polls have been put off because this archive was overloaded (`local-overload`), not because
   * of the source; null when the last poll was not deferred, or the account is not being polled
   */
  deferredSince: string | null;
  /** for platforms paid per read (X): the reads this account used in the current calendar month (UTC) */
  reads: { month: string; used: number; budget: number | null };
  createdAt: string;
}

/**
 * `budgetOf` names the monthly read budget of a platform paid per read (the connector knows it), null for the
 * others.
 */
export function accountView(
  a: AccountEntity,
  budgetOf: (platform: string) => number | null = () => null,
  now: Date = new Date(),
): AccountView {
  return {
    id: a.id,
    platform: a.platform,
    handle: a.handle,
    displayName: a.displayName,
    url: a.profileUrl,
    sourceUrl: a.sourceUrl,
    tracking: a.tracking,
    paused: a.paused,
    pollIntervalSeconds: a.pollIntervalSeconds,
    nextPollAt: a.tracking && !a.paused ? a.nextPollAt.toISOString() : null,
    lastPolledAt: a.lastPolledAt?.toISOString() ?? null,
    lastPollStatus: a.lastPollStatus,
    lastError: a.lastError,
    lastErrorCode: a.lastErrorCode,
    consecutiveFailures: a.consecutiveFailures,
    deferredSince: a.tracking && !a.paused ? (a.deferredSince?.toISOString() ?? null) : null,
    reads: { month: readsMonthOf(now), used: readsUsedIn(a, now), budget: budgetOf(a.platform) },
    createdAt: a.createdAt.toISOString(),
  };
}

/** Accounts being tracked, oldest first. */
export async function listTrackedAccounts(
  db: EntityManager,
  budgetOf?: (platform: string) => number | null,
): Promise<AccountView[]> {
  const accounts = await db
    .getRepository(AccountEntity)
    .find({ where: { tracking: true }, order: { createdAt: 'ASC' } });
  return accounts.map((a) => accountView(a, budgetOf));
}

export async function findAccountView(
  db: EntityManager,
  id: string,
  budgetOf?: (platform: string) => number | null,
): Promise<AccountView | null> {
  const account = await db.getRepository(AccountEntity).findOneBy({ id });
  return account && accountView(account, budgetOf);
}

/** Which of these ids name no account, tracked or not, in the order given. */
export async function unknownAccountIds(db: EntityManager, ids: string[]): Promise<string[]> {
  const rows: { id: string }[] = await db.query(
    `SELECT given.id FROM unnest($1::uuid[]) WITH ORDINALITY AS given(id, n)
     WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = given.id) ORDER BY given.n`,
    [ids],
  );
  return rows.map((row) => row.id);
}
