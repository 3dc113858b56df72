import { ErrorCode } from './errors';
import { printable } from './printable';

/**
 * Platform health from canary checks: a known public account read on a schedule. A platform whose canary
 * fails the way a format change or a login wall fails is `degraded`: its polling pauses (every account
 * would fail the same way, filling the error log) until the canary reads again.
 */
export type PlatformState = 'ok' | 'degraded';

/** What one canary check showed. */
export type CanaryOutcome =
  | { kind: 'ok' }
  /** the source answered, but not as the connector expects (layout or API change), or behind a login */
  | { kind: 'broken'; reason: string }
  /** timeouts, 5xx, 429, a canary that is gone: says nothing about the connector, only retried */
  | { kind: 'transient'; reason: string };

/** Error codes that mean "the platform changed under the connector", not "the network had a bad minute". */
const BROKEN_CODES: ReadonlySet<string> = new Set([
  ErrorCode.SourceInvalidResponse,
  ErrorCode.SourceAuthRequired,
]);

export function canaryOutcomeOf(error: { code?: unknown; message: string } | null): CanaryOutcome {
  if (!error) return { kind: 'ok' };
  // any error, not only ours: its message may quote what the platform sent
  const reason = printable(error.message);
  return typeof error.code === 'string' && BROKEN_CODES.has(error.code)
    ? { kind: 'broken', reason }
    : { kind: 'transient', reason };
}

export interface PlatformHealthState {
  state: PlatformState;
  /** consecutive failed checks */
  failures: number;
}

export interface CanaryDecision {
  state: PlatformState;
  failures: number;
  /** the event to raise, when the state changed */
  event: 'connector.degraded' | 'connector.recovered' | null;
  /** seconds until the next check */
  nextCheckInSeconds: number;
}

/**
 * The next state and check time after one canary check. A healthy platform is checked every `interval`;
 * after a failure, sooner and then backing off (base · 2^(failures−1), capped at the interval), so a degraded
 * platform resumes soon after it is fixed without hammering it meanwhile.
 */
export function decideCanary(
  current: PlatformHealthState,
  outcome: CanaryOutcome,
  timing: { intervalSeconds: number; retryBaseSeconds: number },
): CanaryDecision {
  if (outcome.kind === 'ok') {
    return {
      state: 'ok',
      failures: 0,
      event: current.state === 'degraded' ? 'connector.recovered' : null,
      nextCheckInSeconds: timing.intervalSeconds,
    };
  }
  const failures = current.failures + 1;
  const backoff = Math.min(timing.intervalSeconds, timing.retryBaseSeconds * 2 ** Math.min(failures - 1, 30));
  const degrade = outcome.kind === 'broken' && current.state === 'ok';
  return {
    state: outcome.kind === 'broken' ? 'degraded' : current.state,
    failures,
    event: degrade ? 'connector.degraded' : null,
    nextCheckInSeconds: backoff,
  };
}
