import { type EntityManager } from 'typeorm';
import { AccountEntity } from '../entities/account.entity';

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
  createdAt: string;
}

export function accountView(a: AccountEntity): AccountView {
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
    createdAt: a.createdAt.toISOString(),
  };
}

/** Accounts being tracked, oldest first. */
export async function listTrackedAccounts(db: EntityManager): Promise<AccountView[]> {
  const accounts = await db
    .getRepository(AccountEntity)
    .find({ where: { tracking: true }, order: { createdAt: 'ASC' } });
  return accounts.map(accountView);
}

export async function findAccountView(db: EntityManager, id: string): Promise<AccountView | null> {
  const account = await db.getRepository(AccountEntity).findOneBy({ id });
  return account && accountView(account);
}
