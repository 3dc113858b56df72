import { parsePageLinks } from './mastodon-link-header';

describe('parsePageLinks', () => {
  it('reads max_id from next and min_id from prev', () => {
    const header =
      '<https://mastodon.social/api/v1/accounts/1/statuses?limit=40&max_id=109382006402042919>; rel="next", ' +
      '<https://mastodon.social/api/v1/accounts/1/statuses?limit=40&min_id=109382039876197520>; rel="prev"';
    expect(parsePageLinks(header)).toEqual({
      nextMaxId: '109382006402042919',
      prevMinId: '109382039876197520',
    });
  });

  it('accepts prev alone, in any order, and since_id from older servers', () => {
    expect(parsePageLinks('<https://h/api/v1/accounts/1/statuses?since_id=7>; rel="prev"')).toEqual({
      nextMaxId: null,
      prevMinId: '7',
    });
    expect(parsePageLinks('<https://h/x?min_id=9>; rel=prev, <https://h/x?max_id=3>; rel=next')).toEqual({
      nextMaxId: '3',
      prevMinId: '9',
    });
  });

  it('gives nothing for a missing or meaningless header', () => {
    expect(parsePageLinks(undefined)).toEqual({ nextMaxId: null, prevMinId: null });
    expect(parsePageLinks('garbage')).toEqual({ nextMaxId: null, prevMinId: null });
    expect(parsePageLinks('<https://h/x?max_id=3>; rel="self"')).toEqual({
      nextMaxId: null,
      prevMinId: null,
    });
  });

  it('reads the links after a run of "<" a server sent before them', () => {
    expect(parsePageLinks(`${'<'.repeat(16_000)}, <https://h/x?max_id=3>; rel="next"`)).toEqual({
      nextMaxId: '3',
      prevMinId: null,
    });
  });
});
