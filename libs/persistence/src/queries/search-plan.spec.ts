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

  it("walks a narrow filter's own index where it would collect along capture order", () => {
    // a common word's matches among the deleted statements (1 in 199): collecting reads every posting of the
    // word, deleted or not, while a walk of the deleted statements reads 199 times fewer rows than one of all
    expect(chooseSearchPlan(550, 800_000, 51).kind).toBe('collect');
    const walk = chooseSearchPlan(550, 800_000, 51, 1 / 199);
    expect(walk.kind).toBe('walk');
    // the walk is still sized in capture order: a few pages' worth at the density of the filtered matches
    expect(walk.window).toBe(Math.ceil((3 * 51 * 800_000) / 550));
    // a filter that keeps nearly every statement changes nothing
    expect(chooseSearchPlan(550, 800_000, 51, 0.995)).toEqual(chooseSearchPlan(550, 800_000, 51));
  });

  it('collects when a walk or window would cover the whole archive anyway', () => {
    expect(chooseSearchPlan(50, 100, 51).kind).toBe('collect');
  });
});
