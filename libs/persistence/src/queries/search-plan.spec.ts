import { chooseSearchPlan } from './search-plan';

describe('chooseSearchPlan', () => {
  const span = 1_000_000;

  it('walks capture order for common terms, windows the middle, collects rare ones', () => {
    expect(chooseSearchPlan(200_000, span, 51).kind).toBe('walk');
    expect(chooseSearchPlan(5_000, span, 51).kind).toBe('window');
    expect(chooseSearchPlan(100, span, 51).kind).toBe('collect');
    expect(chooseSearchPlan(0, span, 51).kind).toBe('collect');
  });

  it('sizes walks and windows to hold a few pages of matches at the estimated density', () => {
    const walk = chooseSearchPlan(200_000, span, 51);
    // 51 matches at 1 in 5 need 255 rows; the plan reads a few times that before it continues
    expect(walk.window).toBeGreaterThan(255);
    expect(walk.window).toBeLessThan(2_000);
    const window = chooseSearchPlan(5_000, span, 51);
    expect(window.window).toBeGreaterThan(51 * 200);
    expect(window.window).toBeLessThan(span);
  });

  it('collects when a walk or window would cover the whole archive anyway', () => {
    expect(chooseSearchPlan(50, 100, 51).kind).toBe('collect');
  });
});
