import { chooseLanguage, fromAcceptLanguage, MESSAGES } from './i18n';

describe('interface language', () => {
  it('reads Accept-Language by quality, then order, skipping languages it has no interface for', () => {
    expect(fromAcceptLanguage('de-DE, uk;q=0.9, en;q=0.8')).toBe('uk');
    expect(fromAcceptLanguage('en;q=0.5, uk-UA;q=0.7')).toBe('uk');
    expect(fromAcceptLanguage('uk;q=0, en-GB')).toBe('en');
    expect(fromAcceptLanguage('fr, de')).toBeUndefined();
    expect(fromAcceptLanguage(undefined)).toBeUndefined();
  });

  it('lets ?lang= win and be remembered, then the cookie, then the header, then English', () => {
    expect(chooseLanguage('uk', 'verbatim_lang=en', 'en')).toEqual({ language: 'uk', remember: true });
    expect(chooseLanguage(undefined, 'a=1; verbatim_lang=uk', 'en')).toEqual({
      language: 'uk',
      remember: false,
    });
    expect(chooseLanguage('fr', 'verbatim_lang=xx', 'uk-UA')).toEqual({ language: 'uk', remember: false });
    expect(chooseLanguage(['uk', 'en'], undefined, undefined)).toEqual({ language: 'en', remember: false });
  });

  it('has every English message in Ukrainian, and none left untranslated but the format names', () => {
    const same = Object.keys(MESSAGES.en).filter(
      (key) => MESSAGES.en[key as keyof typeof MESSAGES.en] === MESSAGES.uk[key as keyof typeof MESSAGES.uk],
    );
    expect(Object.keys(MESSAGES.uk).sort()).toEqual(Object.keys(MESSAGES.en).sort());
    expect(same.sort()).toEqual(['exportCsv', 'exportJsonl']);
  });
});
