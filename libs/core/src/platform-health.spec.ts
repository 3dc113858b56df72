import { ErrorCode } from './errors';
import { canaryOutcomeOf, decideCanary } from './platform-health';

const timing = { intervalSeconds: 900, retryBaseSeconds: 60 };

describe('canary outcomes', () => {
  it('calls a layout change or a login wall broken, and network trouble transient', () => {
    expect(canaryOutcomeOf(null)).toEqual({ kind: 'ok' });
    expect(
      canaryOutcomeOf({ code: ErrorCode.SourceInvalidResponse, message: 'no messages in page' }),
    ).toEqual({
      kind: 'broken',
      reason: 'no messages in page',
    });
    expect(canaryOutcomeOf({ code: ErrorCode.SourceAuthRequired, message: 'login' }).kind).toBe('broken');
    for (const code of [ErrorCode.SourceUnavailable, ErrorCode.SourceRateLimited, ErrorCode.SourceNotFound])
      expect(canaryOutcomeOf({ code, message: 'x' }).kind).toBe('transient');
    expect(canaryOutcomeOf({ message: 'TypeError' }).kind).toBe('transient');
  });
});

describe('decideCanary', () => {
  it('degrades a healthy platform once, on the first broken check, and backs off while it stays broken', () => {
    const first = decideCanary({ state: 'ok', failures: 0 }, { kind: 'broken', reason: 'r' }, timing);
    expect(first).toEqual({
      state: 'degraded',
      failures: 1,
      event: 'connector.degraded',
      nextCheckInSeconds: 60,
    });
    const second = decideCanary(first, { kind: 'broken', reason: 'r' }, timing);
    expect(second).toEqual({ state: 'degraded', failures: 2, event: null, nextCheckInSeconds: 120 });
    let state = second;
    for (let i = 0; i < 40; i++) state = decideCanary(state, { kind: 'broken', reason: 'r' }, timing);
    expect(state.nextCheckInSeconds).toBe(900);
  });

  it('recovers a degraded platform on the first good check, and is silent when nothing changed', () => {
    expect(decideCanary({ state: 'degraded', failures: 5 }, { kind: 'ok' }, timing)).toEqual({
      state: 'ok',
      failures: 0,
      event: 'connector.recovered',
      nextCheckInSeconds: 900,
    });
    expect(decideCanary({ state: 'ok', failures: 0 }, { kind: 'ok' }, timing).event).toBeNull();
  });

  it('never changes the state on a transient failure, only the next check time', () => {
    expect(decideCanary({ state: 'ok', failures: 0 }, { kind: 'transient', reason: 't' }, timing)).toEqual({
      state: 'ok',
      failures: 1,
      event: null,
      nextCheckInSeconds: 60,
    });
    expect(
      decideCanary({ state: 'degraded', failures: 1 }, { kind: 'transient', reason: 't' }, timing).state,
    ).toBe('degraded');
  });
});
