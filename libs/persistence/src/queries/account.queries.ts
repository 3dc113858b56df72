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
  /**
   * since when rechecks find the account itself unavailable (its posts cannot be read), and why, as the platform
   * showed it: `account-suspended`, `account-gone`, `private`, `login-wall` or `withheld`; both null while it answers
   */
  unavailableSince: string | null;
  unavailableReason: string | null;
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
    unavailableSince: a.unavailableSince?.toISOString() ?? null,
    unavailableReason: a.unavailableReason,
    reads: { month: readsMonthOf(now), used: readsUsedIn(a, now), budget: budgetOf(a.platform) },
    createdAt: a.createdAt.toISOString(),
  };
}

/** Which accounts a list holds: those being tracked, those not (no longer tracked, or known from a capture), or all. */
export type AccountTracking = 'true' | 'false' | 'all';

export interface AccountPage {
  items: AccountView[];
  /** where the next page starts, or null on the last page */
  nextCursor: string | null;
}

/** A page's cursor: the creation time (microseconds since 1970, as PostgreSQL keeps it) and id of its last account. */
export const ACCOUNT_CURSOR =
  /^([0-9]{1,17})_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/**
 * Accounts oldest first (ties by id), a page of `limit` after `cursor` (the `nextCursor` of the previous page), read
 * in order from the accounts_created index. The cursor names the last account shown by its exact creation time, so
 * an account tracked or untracked meanwhile neither repeats nor hides another. An account created while a reader
 * pages comes on a later page, unless its transaction began before the cursor's account was created (created_at
 * is when a transaction starts): it may then be missed until the next walk.
 */
export async function listAccounts(
  db: EntityManager,
  page: { tracking: AccountTracking; limit: number; cursor?: string },
  budgetOf?: (platform: string) => number | null,
): Promise<AccountPage> {
  const after = page.cursor === undefined ? null : ACCOUNT_CURSOR.exec(page.cursor);
  if (page.cursor !== undefined && !after) throw new Error(`not an account cursor: ${page.cursor}`);
  const query = db
    .getRepository(AccountEntity)
    .createQueryBuilder('a')
    // created_at to the microsecond: a Date would round it to the millisecond, and the cursor to a wrong place
    .addSelect(`(extract(epoch FROM a.created_at) * 1000000)::bigint::text`, 'position')
    .orderBy('a.created_at', 'ASC')
    .addOrderBy('a.id', 'ASC')
    // one more than asked: whether another page follows
    .limit(page.limit + 1);
  if (page.tracking !== 'all') query.where('a.tracking = :tracking', { tracking: page.tracking === 'true' });
  if (after)
    query.andWhere(
      `(a.created_at, a.id) > (timestamptz 'epoch' + :micros::bigint * interval '1 microsecond', :id::uuid)`,
      { micros: after[1], id: after[2] },
    );
  const { entities, raw } = await query.getRawAndEntities<{ position: string }>();
  const shown = entities.slice(0, page.limit);
  const last = shown[shown.length - 1];
  return {
    items: shown.map((a) => accountView(a, budgetOf)),
    nextCursor: entities.length > page.limit ? `${raw[shown.length - 1].position}_${last.id}` : null,
  };
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
