/**
 * The `token` the syndication CDN expects beside a post id, computed as react-tweet's getToken does. The
 * precision lost by `Number(id)` is part of the formula: the endpoint computes it the same way. Everywhere
 * else X ids stay strings.
 */
export function syndicationToken(id: string): string {
  return ((Number(id) / 1e15) * Math.PI).toString(6 ** 2).replace(/(0+|\.)/g, '');
}
