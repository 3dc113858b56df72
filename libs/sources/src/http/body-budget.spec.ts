import { BodyBudget, HOST_SHARE } from './body-budget';

describe('BodyBudget', () => {
  it('takes bytes up to the bound, and a host up to its share of it', () => {
    const budget = new BodyBudget(4000, 500);
    expect(budget.hostLimit).toBe(4000 * HOST_SHARE);
    expect(budget.take('a.example', 1000)).toBe('taken');
    expect(budget.take('a.example', 1)).toBe('host-full');
    expect(budget.take('b.example', 1000)).toBe('taken');
    expect(budget.take('c.example', 1000)).toBe('taken');
    expect(budget.take('d.example', 1000)).toBe('taken');
    expect(budget.take('e.example', 1)).toBe('process-full');
    expect(budget.inUse).toBe(4000);
  });

  it('gives bytes back to the host and the process alike', () => {
    const budget = new BodyBudget(4000, 500);
    budget.take('a.example', 1000);
    budget.give('a.example', 400);
    expect(budget.inUse).toBe(600);
    expect(budget.take('a.example', 400)).toBe('taken');
    budget.give('a.example', 1000);
    expect(budget.inUse).toBe(0);
    expect(() => budget.give('a.example', 1)).toThrow('gave back 1 bytes of the 0 taken for a.example');
  });

  it('lets a host receive one body of the largest size, however small its share', () => {
    const budget = new BodyBudget(1000, 1000);
    expect(budget.hostLimit).toBe(1000);
    expect(budget.take('a.example', 1000)).toBe('taken');
  });

  it('has no bound at all when none was given', () => {
    const budget = new BodyBudget(Number.POSITIVE_INFINITY, 1000);
    expect(budget.take('a.example', 1e12)).toBe('taken');
  });

  it('admits a request while an eighth of the bound and of its host’s share (or one largest body) is left', () => {
    const budget = new BodyBudget(8000, 1000);
    expect(budget.hostLimit).toBe(2000);
    budget.take('a.example', 1750);
    expect(budget.admits('a.example', 1000)).toBeNull();
    budget.take('a.example', 1);
    expect(budget.admits('a.example', 1000)).toBe('host-full');
    expect(budget.admits('b.example', 1000)).toBeNull();
    for (const host of ['b.example', 'c.example']) budget.take(host, 2000);
    expect(budget.admits('e.example', 1000)).toBeNull();
    budget.take('e.example', 1250);
    expect(budget.inUse).toBe(7001);
    expect(budget.admits('e.example', 1000)).toBe('process-full');
    // a small largest body needs only itself
    expect(budget.admits('e.example', 200)).toBeNull();
  });
});
