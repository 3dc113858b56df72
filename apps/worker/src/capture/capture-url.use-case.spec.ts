import { ErrorCode } from '@app/core';
import {
  afterCaptureFailure,
  CAPTURE_ATTEMPTS,
  CAPTURE_DEFERRAL_LIMIT_MS,
  CAPTURE_DEFERRAL_MAX_WAIT_SECONDS,
} from './capture-url.use-case';

describe('afterCaptureFailure', () => {
  const now = new Date('2026-12-01T12:00:00.000Z');
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const inSeconds = (date: Date) => (date.getTime() - now.getTime()) / 1000;

  it('retries a passing problem of the source until the attempts are used up, counting each', () => {
    const fresh = { attempts: 0, deferredSince: null };
    expect(afterCaptureFailure(ErrorCode.SourceUnavailable, fresh, now)).toEqual({
      kind: 'retry',
      attempts: 1,
    });
    expect(afterCaptureFailure(ErrorCode.SourceRateLimited, fresh, now)).toEqual({
      kind: 'retry',
      attempts: 1,
    });
    const last = { attempts: CAPTURE_ATTEMPTS - 1, deferredSince: null };
    expect(afterCaptureFailure(ErrorCode.SourceUnavailable, last, now)).toEqual({ kind: 'fail' });
  });

  it('fails at once what another try would not change', () => {
    const fresh = { attempts: 0, deferredSince: null };
    expect(afterCaptureFailure(ErrorCode.SourceNotFound, fresh, now)).toEqual({ kind: 'fail' });
  });

  it('puts off a refusal for our own load without spending an attempt, soon at first', () => {
    // even with the attempts used up by the source's own failures, and however long ago it was asked for
    const request = { attempts: CAPTURE_ATTEMPTS - 1, deferredSince: null };
    const soonest = afterCaptureFailure(ErrorCode.LocalOverload, request, now, () => 0);
    const latest = afterCaptureFailure(ErrorCode.LocalOverload, request, now, () => 1);
    expect(soonest.kind === 'defer' && inSeconds(soonest.until)).toBe(5);
    expect(latest.kind === 'defer' && inSeconds(latest.until)).toBe(30);
  });

  it('spaces the deferrals out as they last, and fails the capture an hour after the first', () => {
    const twentyMinutes = { attempts: 1, deferredSince: ago(1_200_000) };
    const later = afterCaptureFailure(ErrorCode.LocalOverload, twentyMinutes, now, () => 0);
    expect(later.kind === 'defer' && inSeconds(later.until)).toBe(CAPTURE_DEFERRAL_MAX_WAIT_SECONDS / 2);
    const anHour = { attempts: 1, deferredSince: ago(CAPTURE_DEFERRAL_LIMIT_MS) };
    expect(afterCaptureFailure(ErrorCode.LocalOverload, anHour, now)).toEqual({ kind: 'fail' });
  });
});
