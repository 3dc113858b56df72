import { foldForMatching } from '@app/alerts';
import { matchesNothing } from './keyword-to-match';

describe('a keyword with nothing to match', () => {
  it.each([
    ['\u0301', true],
    ['  ', true],
    ['\u3000\u0308 \u0301', true],
    ['e\u0301', false],
    ['é', false],
    ['war', false],
    ['#', false],
    ['7', false],
  ])('%j matches nothing: %s, exactly when it folds to nothing for matching', (keyword, nothing) => {
    expect(matchesNothing(keyword)).toBe(nothing);
    expect(foldForMatching(keyword) === '').toBe(nothing);
  });
});
