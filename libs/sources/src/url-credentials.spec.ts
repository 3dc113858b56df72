import { ErrorCode, VerbatimError } from '@app/core';
import { refuseCredentialsInUrl, withoutCredentials } from './url-credentials';

describe('refuseCredentialsInUrl', () => {
  it.each(['https://feeds.example.org/rss', 'https://mastodon.social/@Gargron'])('accepts %s', (url) => {
    expect(() => refuseCredentialsInUrl(new URL(url))).not.toThrow();
  });

  it.each([
    ['user and password', 'https://alice:s3cret@feeds.example.org/rss'],
    ['a user name only', 'https://alice@feeds.example.org/rss'],
    ['a password only', 'https://:s3cret@feeds.example.org/rss'],
  ])('refuses %s with InvalidInput, naming the URL without its secret', (_label, url) => {
    let thrown: unknown;
    try {
      refuseCredentialsInUrl(new URL(url));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(VerbatimError);
    const error = thrown as VerbatimError;
    expect(error.code).toBe(ErrorCode.InvalidInput);
    expect(error.message).toBe(
      'URLs with a user name or password are not accepted: https://feeds.example.org/rss ' +
        '(remove user:password@ from the URL)',
    );
    expect(error.message).not.toMatch(/alice|s3cret/);
  });

  it('shows a URL without its credentials', () => {
    expect(withoutCredentials(new URL('http://a:b@example.org:8080/x?y#z'))).toBe(
      'http://example.org:8080/x?y#z',
    );
  });
});
