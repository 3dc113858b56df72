import { sourceUrlOption } from './extract.command';

describe('verbatim extract --source-url', () => {
  it('takes an http(s) URL, dropping the spaces and line break pasted around it', () => {
    expect(sourceUrlOption('https://news.example/kuleba')).toBe('https://news.example/kuleba');
    expect(sourceUrlOption('  https://news.example/kuleba\r\n')).toBe('https://news.example/kuleba');
    // an intranet host without a TLD, a port, a query
    expect(sourceUrlOption('http://newsroom:8080/a?b=c')).toBe('http://newsroom:8080/a?b=c');
  });

  it('refuses a control character inside the URL, saying which and where in what was given', () => {
    for (const [control, escaped] of [
      ['\u0000', '\\u0000'],
      ['\u0001', '\\u0001'],
      ['\u007f', '\\u007f'],
      ['\n', '\\u000a'],
    ]) {
      expect(() => sourceUrlOption(`https://news.example/a${control}b`)).toThrow(
        `--source-url holds a control character (${escaped} at character 23), which no URL has`,
      );
    }
    expect(() => sourceUrlOption('  https://news.example/a\u0000b')).toThrow('(\\u0000 at character 25)');
  });

  it('refuses what the API refuses as sourceUrl: not an http(s) URL, or longer than it keeps', () => {
    expect(() => sourceUrlOption('not a url')).toThrow(
      '--source-url must be an http(s) URL such as https://news.example/article, not "not a url"',
    );
    for (const refused of [
      'ftp://news.example/a',
      'https://a_b..c/',
      'https://[zz]/',
      'https://news.example/a"<>',
    ])
      expect(() => sourceUrlOption(refused)).toThrow('must be an http(s) URL');
    expect(() => sourceUrlOption(`https://news.example/${'a'.repeat(2048)}`)).toThrow(
      '--source-url is 2069 characters long, more than 2048',
    );
  });
});
