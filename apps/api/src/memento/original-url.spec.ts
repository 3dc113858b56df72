import { originalUrlOf } from './original-url';

describe('originalUrlOf', () => {
  it('takes everything after the prefix, query included', () => {
    expect(originalUrlOf('/timegate/https://m.example/@a/1?x=1&y=2', '/timegate/')).toEqual({
      url: 'https://m.example/@a/1?x=1&y=2',
    });
  });

  it('decodes a percent-encoded original and mends a merged scheme slash', () => {
    expect(originalUrlOf('/timegate/https%3A%2F%2Fm.example%2F%40a%2F1', '/timegate/')).toEqual({
      url: 'https://m.example/@a/1',
    });
    expect(originalUrlOf('/timemap/link/https:/m.example/@a/1', '/timemap/link/')).toEqual({
      url: 'https://m.example/@a/1',
    });
  });

  it.each(['/timegate/', '/timegate/ftp://m.example/x', '/timegate/not a url', '/timegate/https%3A%E0%A4%A'])(
    'says what to send for %s',
    (target) => {
      expect(originalUrlOf(target, '/timegate/')).toEqual({ error: expect.stringContaining('/timegate/') });
    },
  );
});
