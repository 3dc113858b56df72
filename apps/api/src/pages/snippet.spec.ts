import { safeSnippet } from './snippet';

describe('safeSnippet', () => {
  it('passes escaped text with balanced <mark> tags', () => {
    expect(safeSnippet('the <mark>talks</mark> &amp; <mark>Женева</mark>')).toBe(
      'the <mark>talks</mark> &amp; <mark>Женева</mark>',
    );
  });

  it('refuses any other tag, attribute-bearing marks and unbalanced marks', () => {
    expect(safeSnippet('<mark>a</mark><img src=x onerror=alert(1)>')).toBeNull();
    expect(safeSnippet('<mark onclick="x">a</mark>')).toBeNull();
    expect(safeSnippet('<mark>a')).toBeNull();
    expect(safeSnippet('a</mark>')).toBeNull();
    expect(safeSnippet('<mark><mark>a</mark></mark>')).toBeNull();
    expect(safeSnippet('a > b')).toBeNull();
    expect(safeSnippet(undefined)).toBeNull();
  });
});
