import { foldForMatching, matchesAnyKeyword } from './keyword-match';

describe('matchesAnyKeyword', () => {
  it.each([
    ['Sanctions on Russia', ['sanctions']],
    ['NEW SANCTIONS, today', ['sanctions']],
    ['Visit to Kýiv', ['kyiv']],
    ['Нові санкції проти РФ.', ['санкції']],
    ['САНКЦІЇ!', ['санкції']],
    ['Заява МЗС України', ['мзс україни']],
    ['«Київ» — столиця', ['київ']],
    ['Défense de l’Ukraine', ['defense']],
    ['no filter set', []],
  ])('matches %j with %j', (text, keywords) => {
    expect(matchesAnyKeyword(text, keywords)).toBe(true);
  });

  it.each([
    ['A new warship', ['war']],
    ['Kyivstar outage', ['kyiv']],
    ['санкційний', ['санкції']],
    ['nothing here', ['sanctions', 'kyiv']],
    ['anything', ['']],
  ])('does not match %j with %j', (text, keywords) => {
    expect(matchesAnyKeyword(text, keywords)).toBe(false);
  });

  it('folds case, accents and white space the same way on both sides', () => {
    expect(foldForMatching('  Zürich\n\tÉTAT ')).toBe('zurich etat');
  });
});
