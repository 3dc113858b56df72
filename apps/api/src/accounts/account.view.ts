import { type AccountEntity } from '@app/persistence';

/** The API's picture of an account. */
export function accountView(a: AccountEntity) {
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
