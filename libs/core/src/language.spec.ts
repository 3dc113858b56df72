import { DETECTION_SAMPLE_CHARS, statementLanguage } from './language';

describe('statementLanguage', () => {
  it("keeps the platform's tag, primary subtag only, lower case", () => {
    expect(statementLanguage('en-GB', 'Das ist ein deutscher Satz über die Regierung')).toBe('en');
    expect(statementLanguage('UK', 'short')).toBe('uk');
    expect(statementLanguage('pt_BR', '')).toBe('pt');
  });

  it('detects the language of the text when the platform gave none or an unusable one', () => {
    expect(statementLanguage(null, 'Міністр закордонних справ України провів зустріч з партнерами')).toBe(
      'uk',
    );
    expect(statementLanguage(null, 'Министр иностранных дел России заявил сегодня о переговорах')).toBe('ru');
    expect(statementLanguage('', 'The foreign minister met his counterpart today in Brussels')).toBe('en');
    expect(statementLanguage('und-x', 'Le ministre des Affaires étrangères a rencontré son homologue')).toBe(
      'fr',
    );
  });

  it('says unknown rather than guess from a few characters', () => {
    expect(statementLanguage(null, 'ok 👍')).toBeNull();
    expect(statementLanguage(null, '   ')).toBeNull();
  });

  it('detects from the first DETECTION_SAMPLE_CHARS characters of a long text', () => {
    const english = 'The foreign minister met his counterpart today in Brussels. ';
    const ukrainian = 'Міністр закордонних справ України провів зустріч з партнерами. ';
    const head = english
      .repeat(Math.ceil(DETECTION_SAMPLE_CHARS / english.length))
      .slice(0, DETECTION_SAMPLE_CHARS);
    expect(statementLanguage(null, head + ukrainian.repeat(20_000))).toBe('en');
    expect(statementLanguage(null, ukrainian.repeat(20_000))).toBe('uk');
  });
});
