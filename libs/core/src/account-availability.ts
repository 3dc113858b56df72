import { type RecheckAnswer } from './deletion-state';

export interface AccountAvailability {
  unavailable: boolean;
  reason: string | null;
}

export interface AccountAvailabilityChange {
  next: AccountAvailability;
  /** heard once per account when it goes away or comes back, not once per statement */
  event: 'account.unavailable' | 'account.restored' | null;
}

/**
 * Whether one round of answers about an account's posts changes the account's availability. An `unavailable`
 * answer marks it unavailable; any answer the platform gave about a post (found, not found, gone) shows it is
 * back. `unknown` answers show nothing.
 */
export function accountAvailabilityAfter(
  current: AccountAvailability,
  answers: readonly RecheckAnswer[],
): AccountAvailabilityChange {
  const answered = answers.some((a) => a.kind === 'found' || a.kind === 'not-found' || a.kind === 'gone');
  const away = answers.find((a) => a.kind === 'unavailable');
  if (!current.unavailable && away?.kind === 'unavailable') {
    return { next: { unavailable: true, reason: away.reason }, event: 'account.unavailable' };
  }
  if (current.unavailable && answered && away === undefined) {
    return { next: { unavailable: false, reason: null }, event: 'account.restored' };
  }
  return { next: current, event: null };
}
