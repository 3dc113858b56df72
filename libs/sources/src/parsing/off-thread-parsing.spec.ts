import { ErrorCode, SourceError } from '@app/core';
import { errorFromThread } from './off-thread-parsing';

describe('errorFromThread', () => {
  it('gives back a SourceError with its code and HTTP status, as the parse would have thrown it here', () => {
    const error = errorFromThread({
      code: ErrorCode.SourceInvalidResponse,
      message: 'not a feed',
      httpStatus: 200,
    });
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({
      code: ErrorCode.SourceInvalidResponse,
      message: 'not a feed',
      httpStatus: 200,
    });
  });

  it('gives anything else as a plain Error with its message', () => {
    for (const code of [null, 'no-such-code']) {
      const error = errorFromThread({ code, message: 'boom', httpStatus: null });
      expect(error).not.toBeInstanceOf(SourceError);
      expect(error.message).toBe('boom');
    }
  });
});
