import { parseTelegramChannelUrl, parseTelegramPostUrl, previewUrl, embedUrl } from './telegram-urls';

const channel = (url: string, extraHost?: string) => parseTelegramChannelUrl(new URL(url), extraHost);
const post = (url: string, extraHost?: string) => parseTelegramPostUrl(new URL(url), extraHost);

describe('Telegram URLs', () => {
  it.each([
    'https://t.me/mfa_ukraine',
    'https://t.me/mfa_ukraine/',
    'https://t.me/s/mfa_ukraine',
    'http://t.me/mfa_ukraine',
    'https://www.t.me/mfa_ukraine',
    'https://telegram.me/mfa_ukraine',
    'https://www.telegram.me/s/mfa_ukraine?before=10',
  ])('tracks %s as the channel mfa_ukraine', (url) => {
    expect(channel(url)).toBe('mfa_ukraine');
  });

  it.each([
    'https://t.me/',
    'https://t.me/s/',
    'https://t.me/joinchat/AAAA',
    'https://t.me/+AbCdEf',
    'https://t.me/share',
    'https://t.me/abc',
    'https://t.me/1channel',
    'https://t.me/mfa_ukraine/123',
    'https://t.me//mfa_ukraine',
    'https://example.org/mfa_ukraine',
    'https://user:pw@t.me/mfa_ukraine',
    'ftp://t.me/mfa_ukraine',
  ])('does not track %s', (url) => {
    expect(channel(url)).toBeNull();
  });

  it('recognises the configured base URL host too', () => {
    expect(channel('http://127.0.0.1:8080/s/mfa_test', '127.0.0.1:8080')).toBe('mfa_test');
    expect(channel('http://127.0.0.1:8080/s/mfa_test')).toBeNull();
  });

  it('reads post URLs, with or without /s/ and a query', () => {
    expect(post('https://t.me/mfa_ukraine/12345')).toEqual({ channel: 'mfa_ukraine', messageId: 12345 });
    expect(post('https://t.me/s/mfa_ukraine/7?single')).toEqual({ channel: 'mfa_ukraine', messageId: 7 });
    expect(post('https://t.me/mfa_ukraine/0')).toBeNull();
    expect(post('https://t.me/mfa_ukraine/12a')).toBeNull();
    expect(post('https://t.me/mfa_ukraine')).toBeNull();
  });

  it('builds the preview and embed URLs on any base URL', () => {
    expect(previewUrl('https://t.me', 'mfa').href).toBe('https://t.me/s/mfa');
    expect(previewUrl('http://127.0.0.1:9/', 'mfa', 40).href).toBe('http://127.0.0.1:9/s/mfa?before=40');
    expect(embedUrl('https://t.me', 'mfa', 5).href).toBe('https://t.me/mfa/5?embed=1');
  });
});
