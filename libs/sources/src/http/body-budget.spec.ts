import { BodyBudget } from './body-budget';

describe('BodyBudget', () => {
  it('takes bytes up to the bound, and gives them back', () => {
    const budget = new BodyBudget(4000);
    expect(budget.take(3000)).toBe(true);
    expect(budget.take(1001)).toBe(false);
    expect(budget.take(1000)).toBe(true);
    expect(budget.inUse).toBe(4000);
    budget.give(2500);
    expect(budget.inUse).toBe(1500);
    budget.give(1500);
    expect(() => budget.give(1)).toThrow('gave back 1 bytes of the 0 taken');
  });

  it('admits a request while an eighth of the bound (or one largest body, if smaller) is left', () => {
    const budget = new BodyBudget(8000);
    budget.take(7000);
    expect(budget.admits(1000)).toBe(true);
    budget.take(1);
    expect(budget.admits(1000)).toBe(false);
    // a small largest body needs only itself
    expect(budget.admits(200)).toBe(true);
    // nothing in flight: always admitted, however large the largest body
    expect(new BodyBudget(1000).admits(1000)).toBe(true);
  });

  it('has no bound at all when none was given', () => {
    const budget = new BodyBudget(Number.POSITIVE_INFINITY);
    expect(budget.take(1e12)).toBe(true);
    expect(budget.admits(1e12)).toBe(true);
  });
});
