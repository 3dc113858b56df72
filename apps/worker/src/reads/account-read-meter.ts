import { ErrorCode, SourceError } from '@app/core';
import { type AccountEntity, readsMonthOf, readsUsedIn, startOfNextMonth } from '@app/persistence';
import { type Connector, type ReadMeter } from '@app/sources';

/** Counts one call's reads against what is left of the account's monthly budget. */
export class AccountReadMeter implements ReadMeter {
  used = 0;

  constructor(private readonly left: number) {}

  get remaining(): number {
    return this.left - this.used;
  }

  add(reads: number): void {
    this.used += reads;
  }
}

export type MeterDecision =
  /** reads are free on this platform */
  | { kind: 'free' }
  | { kind: 'metered'; meter: AccountReadMeter }
  /** the month's budget is used up: no reads until `until` */
  | { kind: 'exhausted'; error: SourceError; until: Date };

/** Whether the account may read now, and the meter that counts what it reads. */
export function meterFor(
  connector: Connector,
  account: Pick<AccountEntity, 'readsMonth' | 'readsThisMonth'>,
  now: Date,
): MeterDecision {
  const budget = connector.monthlyReadBudget;
  if (budget === undefined) return { kind: 'free' };
  const used = readsUsedIn(account, now);
  if (used < budget) return { kind: 'metered', meter: new AccountReadMeter(budget - used) };
  const until = startOfNextMonth(now);
  const error = new SourceError(
    ErrorCode.SourceReadBudgetExhausted,
    `the monthly read budget is used up: ${used} of ${budget} reads in ${readsMonthOf(now)} ` +
      `(VERBATIM_${connector.platform.toUpperCase()}_MONTHLY_READ_BUDGET); polling resumes on ${until.toISOString().slice(0, 10)}`,
  );
  return { kind: 'exhausted', error, until };
}
