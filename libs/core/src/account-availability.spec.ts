import { accountAvailabilityAfter } from './account-availability';
import { type RecheckAnswer } from './deletion-state';

const available = { unavailable: false, reason: null };
const suspended = { unavailable: true, reason: 'account-suspended' };
const away: RecheckAnswer = { kind: 'unavailable', reason: 'account-suspended' };

describe('accountAvailabilityAfter', () => {
  it('marks an available account unavailable once, with the reason', () => {
    expect(accountAvailabilityAfter(available, [away, away])).toEqual({
      next: suspended,
      event: 'account.unavailable',
    });
    expect(accountAvailabilityAfter(suspended, [away]).event).toBeNull();
  });

  it.each(['found', 'not-found', 'gone'] as const)('takes a %s answer as the account being back', (kind) => {
    expect(accountAvailabilityAfter(suspended, [{ kind }])).toEqual({
      next: available,
      event: 'account.restored',
    });
  });

  it('learns nothing from unknown answers or from no answers', () => {
    for (const current of [available, suspended]) {
      expect(accountAvailabilityAfter(current, [{ kind: 'unknown' }])).toEqual({
        next: current,
        event: null,
      });
      expect(accountAvailabilityAfter(current, [])).toEqual({ next: current, event: null });
    }
  });

  it('stays unavailable while some answers still say so', () => {
    expect(accountAvailabilityAfter(suspended, [{ kind: 'found' }, away]).event).toBeNull();
  });
});
