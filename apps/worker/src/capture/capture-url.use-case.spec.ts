import { ErrorCode } from '@app/core';
import { afterCaptureFailure, CAPTURE_ATTEMPTS, CAPTURE_DEFERRAL_LIMIT_MS } from './capture-url.use-case';

describe('afterCaptureFailure', () => {
  const now = new Date('2026-12-01T12:00:00.000Z');
  const createdAgo = (ms: number) => new Date(now.getTime() - ms);

  it('retries a passing problem of the source until the attempts are used up, counting each', () => {
    const request = { attempts: 0, createdAt: createdAgo(1000) };
    expect(afterCaptureFailure(ErrorCode.SourceUnavailable, request, now)).toEqual({
      retry: true,
      attempts: 1,
    });
    expect(afterCaptureFailure(ErrorCode.SourceRateLimited, request, now)).toEqual({
      retry: true,
      attempts: 1,
    });
    const last = { attempts: CAPTURE_ATTEMPTS - 1, createdAt: createdAgo(1000) };
    expect(afterCaptureFailure(ErrorCode.SourceUnavailable, last, now)).toEqual({
      retry: false,
      attempts: CAPTURE_ATTEMPTS,
    });
  });

  it('fails at once what another try would not change', () => {
    const request = { attempts: 0, createdAt: createdAgo(1000) };
    expect(afterCaptureFailure(ErrorCode.SourceNotFound, request, now)).toEqual({
      retry: false,
      attempts: 1,
    });
  });

  it('retries a refusal for our own load without spending an attempt, for up to an hour', () => {
    // even with the attempts used up by the source's own failures
    const request = { attempts: CAPTURE_ATTEMPTS - 1, createdAt: createdAgo(60_000) };
    expect(afterCaptureFailure(ErrorCode.LocalOverload, request, now)).toEqual({
      retry: true,
      attempts: CAPTURE_ATTEMPTS - 1,
    });
    const old = { attempts: 2, createdAt: createdAgo(CAPTURE_DEFERRAL_LIMIT_MS) };
    expect(afterCaptureFailure(ErrorCode.LocalOverload, old, now)).toEqual({ retry: false, attempts: 2 });
  });
});
