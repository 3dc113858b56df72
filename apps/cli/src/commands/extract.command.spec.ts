import { sourceUrlOption } from './extract.command';

describe('verbatim extract --source-url', () => {
  it('takes an http(s) URL, dropping the spaces and line break pasted around it', () => {
    expect(sourceUrlOption('https://news.example/kuleba')).toBe('https://news.example/kuleba');
    expect(sourceUrlOption('  https://news.example/kuleba\r\n')).toBe('https://news.example/kuleba');
  });

  it('refuses a control character inside the URL, saying which and where', () => {
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
  });

  it('refuses what is not an http(s) URL, or one longer than the API keeps', () => {
    expect(() => sourceUrlOption('not a url')).toThrow(
      '--source-url must be an http(s) URL, not "not a url"',
    );
    expect(() => sourceUrlOption('ftp://news.example/a')).toThrow('must be an http(s) URL');
    expect(() => sourceUrlOption(`https://news.example/${'a'.repeat(2048)}`)).toThrow(
      '--source-url is 2069 characters long, more than 2048',
    );
  });
});
