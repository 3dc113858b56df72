import { mediaTypeOf } from './media-type';

describe('mediaTypeOf', () => {
  it.each([
    ['image/jpeg', 'image/jpeg'],
    ['Video/MP4; codecs="avc1"', 'video/mp4'],
    [undefined, 'application/octet-stream'],
    ['', 'application/octet-stream'],
    ['text/html\r\nSet-Cookie: x', 'application/octet-stream'],
    ['jpeg', 'application/octet-stream'],
  ])('%j -> %s', (given, expected) => {
    expect(mediaTypeOf(given)).toBe(expected);
  });
});
