import { type AccountEntity } from '@app/persistence';
import { type ResolvedAccount } from '@app/sources';

export function accountToResolved(
  account: Pick<
    AccountEntity,
    'platform' | 'handle' | 'externalId' | 'displayName' | 'profileUrl' | 'sourceUrl'
  >,
): ResolvedAccount {
  return {
    platform: account.platform,
    handle: account.handle,
    externalId: account.externalId,
    displayName: account.displayName,
    profileUrl: account.profileUrl,
    sourceUrl: account.sourceUrl,
  };
}
