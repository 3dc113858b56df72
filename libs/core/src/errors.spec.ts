import { ErrorCode, SourceError, isLocalOverload, localOverload, sourceFailureMessage } from './errors';

describe('sourceFailureMessage', () => {
  it("gives a source's failure as the detail of an answer that says nothing", () => {
    const down = new SourceError(ErrorCode.SourceUnavailable, 'mfa.example answered 503', 503);
    expect(sourceFailureMessage(down)).toBe('mfa.example answered 503');
  });

  it('throws on our own load refusing the request, and on anything that is not a source failure (a bug)', () => {
    const overload = localOverload('not asked: this process is receiving too much');
    expect(isLocalOverload(overload)).toBe(true);
    expect(() => sourceFailureMessage(overload)).toThrow(overload);
    const bug = new TypeError('x is undefined');
    expect(() => sourceFailureMessage(bug)).toThrow(bug);
  });
});
